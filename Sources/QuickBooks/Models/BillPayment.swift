import ConnectorKit
import Foundation

/// A payment of one vendor's bills (XSD `BillPayment`, api digest 1.3): each line pays one
/// bill named by `LinkedTxn`, and QuickBooks lowers that bill's `Balance`.
public struct BillPayment: Codable, Sendable, Equatable {
    public var Id: String?
    public var SyncToken: String?
    public var MetaData: ModificationMetaData?
    public var VendorRef: ReferenceType
    /// `Check` or `CreditCard`.
    public var PayType: String
    public var CheckPayment: BillPaymentCheck?
    public var TxnDate: String?
    public var TotalAmt: Decimal
    public var Line: [BillPaymentLine]

    /// Pays `amount` of `bill` by check from `bankAccount`.
    public init(vendor: String, bill: String, amount: Decimal, bankAccount: String) {
        VendorRef = ReferenceType(vendor)
        PayType = "Check"
        CheckPayment = BillPaymentCheck(BankAccountRef: ReferenceType(bankAccount))
        TotalAmt = amount
        Line = [BillPaymentLine(Amount: amount, LinkedTxn: [LinkedTxn(TxnId: bill, TxnType: "Bill")])]
    }
}

/// The bank account a check is drawn on (XSD `BillPaymentCheck`).
public struct BillPaymentCheck: Codable, Sendable, Equatable {
    public var BankAccountRef: ReferenceType
}

/// One line of a bill payment.
public struct BillPaymentLine: Codable, Sendable, Equatable {
    public var Amount: Decimal
    public var LinkedTxn: [LinkedTxn]
}

/// The transaction a line settles (XSD `LinkedTxn`).
public struct LinkedTxn: Codable, Sendable, Equatable {
    public var TxnId: String
    /// `Bill`, `Invoice`…
    public var TxnType: String
}
