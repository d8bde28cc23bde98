/// The bounds the pipeline puts on what one vendor may make it do: how long a `Retry-After`
/// may pause a connection and how large an answer may be. A vendor that answers badly meets
/// these limits instead of holding a connection for a day or the process's memory.
public struct VendorLimits: Sendable, Equatable {
    /// The longest wait a `Retry-After` can impose; longer ones are clamped to it and logged.
    public var retryAfterCap: Duration
    /// The largest response body read; the body is streamed and reading stops past it.
    public var maxResponseBytes: Int

    /// One hour: a vendor asking for more is not going to be back sooner by waiting in place.
    public static let defaultRetryAfterCap: Duration = .seconds(3600)
    /// 50 MB: above the largest page any supported vendor documents.
    public static let defaultMaxResponseBytes = 50 * 1024 * 1024

    /// Describes the limits; the defaults suit every built-in vendor.
    public init(retryAfterCap: Duration = VendorLimits.defaultRetryAfterCap, maxResponseBytes: Int = VendorLimits.defaultMaxResponseBytes) {
        self.retryAfterCap = max(.zero, retryAfterCap)
        self.maxResponseBytes = max(1, maxResponseBytes)
    }
}
