import ConnectorKit
import Foundation
import Testing

@Suite struct JSONTreeTests {
    /// A vendor note with a line break is ordinary; its canonical text is the snapshot a change
    /// event carries, so it must read back (it did not: the line break went out raw).
    @Test func canonicalTextIsJSONThatReadsBack() throws {
        let vendorJSON = #"{"notes":"line one\nline two\ttabbed \u0001 \"quoted\" back\\slash","b":[1,2.50,null,true],"a\"key":{}}"#
        let tree = try JSONDecoder().decode(JSONTree.self, from: Data(vendorJSON.utf8))
        let canonical = tree.canonical
        #expect(canonical == #"{"a\"key":{},"b":[1,2.5,null,true],"notes":"line one\nline two\ttabbed \u0001 \"quoted\" back\\slash"}"#)
        #expect(try JSONDecoder().decode(JSONTree.self, from: Data(canonical.utf8)) == tree)
    }

    @Test func canonicalTextIgnoresKeyOrder() throws {
        let one = try JSONDecoder().decode(JSONTree.self, from: Data(#"{"x":1,"y":"é"}"#.utf8))
        let other = try JSONDecoder().decode(JSONTree.self, from: Data(#"{"y":"\u00e9","x":1}"#.utf8))
        #expect(one.canonical == other.canonical && one.canonical == #"{"x":1,"y":"é"}"#)
    }
}
