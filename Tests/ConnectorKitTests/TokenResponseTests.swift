import ConnectorKit
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@Suite struct TokenResponseTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    let client = OAuth2TokenClient(tokenURL: "http://127.0.0.1:9/token", encoding: .form)

    func expiry(_ expiresIn: String) throws -> Date? {
        let answer = InboundResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]),
                                     body: ByteBuffer(string: #"{"access_token":"at-1","refresh_token":"rt-1","expires_in":\#(expiresIn)}"#))
        return try client.credential(from: answer, previous: Credential(kind: .oauth2, refreshToken: "rt-0"), now: now).expiresAt
    }

    /// The lifetime is the vendor's number: a negative or zero one would have the pipeline
    /// refresh before every request, a huge one is capped at ten years.
    @Test func outsideLifetimesAreBounded() throws {
        #expect(try expiry("3600") == now.addingTimeInterval(3600))
        #expect(try expiry("-1") == nil)
        #expect(try expiry("0") == nil)
        #expect(try expiry("1e20") == now.addingTimeInterval(10 * 365 * 86_400))
    }
}
