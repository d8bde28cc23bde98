"""Drive the python-quickbooks SDK (with Intuit's intuit-oauth AuthClient) against the sandbox,
unchanged but for its base URLs: the API root (QuickBooks.api_url_v3) and the OpenID discovery
document AuthClient reads its endpoints from (its `environment` may be that document's URL).
Prints one JSON line of findings.

Usage: python quickbooks_sdk_check.py '<the `ml-connector sandbox --json` line>'
"""
import datetime
import json
import os
import sys
import warnings

warnings.simplefilter("ignore")
# oauthlib refuses plain http unless told; the sandbox listens on loopback without TLS.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
sandbox = json.loads(sys.argv[1])["quickbooks"]

from intuitlib.client import AuthClient  # noqa: E402
from quickbooks import QuickBooks  # noqa: E402
from quickbooks.cdc import change_data_capture  # noqa: E402
from quickbooks.objects.base import Ref  # noqa: E402
from quickbooks.objects.bill import Bill  # noqa: E402
from quickbooks.objects.company_info import CompanyInfo  # noqa: E402
from quickbooks.objects.detailline import AccountBasedExpenseLine, AccountBasedExpenseLineDetail  # noqa: E402
from quickbooks.objects.account import Account  # noqa: E402
from quickbooks.objects.vendor import Vendor  # noqa: E402

QuickBooks.api_url_v3 = sandbox["baseURL"] + "/v3"
credentials = sandbox["credentials"]
realm = sandbox["ids"]["realmId"]
auth = AuthClient(client_id=credentials["clientId"], client_secret=credentials["clientSecret"], redirect_uri=credentials["redirectURI"],
                  environment=sandbox["authURL"] + "/.well-known/openid_configuration",
                  access_token=credentials["accessToken"], refresh_token=credentials["refreshToken"])
qb = QuickBooks(auth_client=auth, refresh_token=credentials["refreshToken"], company_id=realm, minorversion=75)
found = {}

found["company_name"] = CompanyInfo.get(realm, qb=qb).CompanyName

vendor = Vendor()
vendor.DisplayName = "SDK Supplies"
vendor.CompanyName = "SDK Supplies Inc"
vendor = vendor.save(qb=qb, request_id="sdk-vendor-1")
found["vendor_id"] = vendor.Id
again = Vendor()
again.DisplayName = "SDK Supplies"
found["same_request_same_vendor"] = again.save(qb=qb, request_id="sdk-vendor-1").Id == vendor.Id

expense = [a for a in Account.filter(AccountType="Expense", qb=qb)][0]
line = AccountBasedExpenseLine()
line.Amount = 250.75
line.Description = "SDK line"
line.AccountBasedExpenseLineDetail = AccountBasedExpenseLineDetail()
line.AccountBasedExpenseLineDetail.AccountRef = Ref()
line.AccountBasedExpenseLineDetail.AccountRef.value = expense.Id
bill = Bill()
bill.VendorRef = vendor.to_ref()
bill.Line.append(line)
bill = bill.save(qb=qb, request_id="sdk-bill-1")
found["bill_total"] = str(bill.TotalAmt)

bill.PrivateNote = "updated by the SDK"
updated = bill.save(qb=qb)
found["bill_sync_token"] = updated.SyncToken

found["bills_queried"] = len(Bill.all(qb=qb))
found["bills_counted"] = Bill.count(qb=qb)
found["bills_where"] = len(Bill.where("TotalAmt > '100'", qb=qb))

since = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
cdc = change_data_capture([Bill, Vendor], since.strftime("%Y-%m-%dT%H:%M:%S") + "Z", qb=qb)
found["cdc_bills"] = len(cdc.Bill)
found["cdc_vendors"] = len(cdc.Vendor)

auth.refresh()
found["refreshed"] = bool(auth.access_token) and bool(auth.refresh_token)
print(json.dumps(found, sort_keys=True))
