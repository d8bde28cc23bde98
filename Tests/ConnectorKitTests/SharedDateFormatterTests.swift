import ConnectorKit
import Foundation
import Testing

/// One formatter shared by every thread must read and write exactly what a formatter of its own
/// would, across daylight-saving changes and under concurrent use.
@Suite struct SharedDateFormatterTests {
    @Test func sharedAnswersAsAFreshFormatterDoesUnderConcurrentUse() async throws {
        let eastern = try #require(TimeZone(identifier: "America/New_York"))
        let shared = SharedDateFormatter(format: "yyyy-MM-dd HH:mm:ss", timeZone: eastern)
        // Every quarter hour around 2026's two changes (8 March, 1 November), and text no date is.
        var texts: [String] = []
        for day in ["2026-03-07", "2026-03-08", "2026-10-31", "2026-11-01"] {
            for minute in stride(from: 0, to: 24 * 60, by: 15) {
                texts.append(String(format: "%@ %02d:%02d:07", day, minute / 60, minute % 60))
            }
        }
        texts += ["2026-02-30 10:00:00", "2026-11-21T10:00:00", "", "yesterday", "2026-11-21 25:00:00"]
        let expected: [String: String] = Dictionary(uniqueKeysWithValues: texts.map { text in
            let fresh = DateFormatter()
            fresh.locale = Locale(identifier: "en_US_POSIX")
            fresh.timeZone = eastern
            fresh.dateFormat = "yyyy-MM-dd HH:mm:ss"
            let date = fresh.date(from: text)
            return (text, date.map { "\($0.timeIntervalSince1970) \(fresh.string(from: $0))" } ?? "nil")
        })
        #expect(expected.values.contains("nil") && expected.values.contains { $0 != "nil" })
        let all = texts
        let mismatches = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    all.compactMap { text in
                        let answer = shared.date(from: text).map { "\($0.timeIntervalSince1970) \(shared.string(from: $0))" } ?? "nil"
                        return answer == expected[text] ? nil : "\(text): \(answer) ≠ \(expected[text] ?? "?")"
                    }
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}
