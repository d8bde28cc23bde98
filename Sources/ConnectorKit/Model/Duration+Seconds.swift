import Foundation

extension Duration {
    /// This duration as a `TimeInterval`, to the millisecond, for `Date` arithmetic; saturating
    /// rather than trapping (`Backoff.milliseconds`).
    public var timeInterval: TimeInterval {
        Double(Backoff.milliseconds(self)) / 1000
    }

    /// Whole seconds, rounded up, for messages ("retry 2 of 4 in 3 s").
    public var roundedUpSeconds: Int {
        Int(timeInterval.rounded(.up))
    }

    /// The duration in seconds, to the attosecond as far as a `Double` holds it (rates and
    /// token counts, where `timeInterval`'s milliseconds are too coarse).
    public var seconds: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
