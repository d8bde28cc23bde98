/// One page of a vendor list: its items and where the next page starts (nil: last page).
public struct Page<Item: Sendable>: Sendable {
    /// The items on this page.
    public var items: [Item]
    /// The cursor of the next page: a page number, an offset token or a start position, as text.
    public var next: String?

    /// Creates a page.
    public init(items: [Item], next: String?) {
        self.items = items
        self.next = next
    }
}

/// Every item of a vendor list, fetched page by page as it is read. One type for every paging
/// style: page numbers (FreshBooks), offset tokens (Asana), cursor tokens (Jira
/// `nextPageToken`) and start positions (QuickBooks `STARTPOSITION`, Acumatica `$skip`).
public struct Paged<Item: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Item
    let fetch: @Sendable (_ cursor: String?) async throws -> Page<Item>

    /// Pages read by an opaque cursor: nil for the first page, then whatever the last page said.
    public init(fetch: @escaping @Sendable (_ cursor: String?) async throws -> Page<Item>) {
        self.fetch = fetch
    }

    /// Pages numbered from 1, where each answer says how many pages there are.
    public static func numbered(_ fetch: @escaping @Sendable (_ page: Int) async throws -> (items: [Item], pages: Int)) -> Paged<Item> {
        Paged { cursor in
            let page = cursor.flatMap(Int.init) ?? 1
            let answer = try await fetch(page)
            return Page(items: answer.items, next: page < answer.pages && !answer.items.isEmpty ? String(page + 1) : nil)
        }
    }

    /// Pages by a vendor token (offset or cursor), nil when the vendor sends none.
    public static func tokens(_ fetch: @escaping @Sendable (_ token: String?) async throws -> (items: [Item], next: String?)) -> Paged<Item> {
        Paged { cursor in
            let answer = try await fetch(cursor)
            return Page(items: answer.items, next: answer.items.isEmpty ? nil : answer.next)
        }
    }

    /// Pages by start position (0-based here; a vendor counting from 1 adds one): a short page is the last.
    public static func positions(pageSize: Int, _ fetch: @escaping @Sendable (_ start: Int, _ count: Int) async throws -> [Item]) -> Paged<Item> {
        Paged { cursor in
            let start = cursor.flatMap(Int.init) ?? 0
            let items = try await fetch(start, pageSize)
            return Page(items: items, next: items.count < pageSize ? nil : String(start + items.count))
        }
    }

    /// The same pages with each item transformed (a vendor record into what an action shows).
    public func map<Other: Sendable>(_ transform: @escaping @Sendable (Item) -> Other) -> Paged<Other> {
        Paged<Other> { [fetch] cursor in
            let page = try await fetch(cursor)
            return Page(items: page.items.map(transform), next: page.next)
        }
    }

    public func makeAsyncIterator() -> Iterator { Iterator(fetch: fetch) }

    /// Iterates page by page.
    public struct Iterator: AsyncIteratorProtocol {
        let fetch: @Sendable (String?) async throws -> Page<Item>
        var buffer: [Item] = []
        var index = 0
        var cursor: String?
        var started = false
        var seen = Set<String>()

        public mutating func next() async throws -> Item? {
            while index >= buffer.count {
                if started && cursor == nil { return nil }
                let page = try await fetch(cursor)
                started = true
                buffer = page.items
                index = 0
                // A vendor that hands back a cursor it already gave would be read forever.
                if let next = page.next, !seen.insert(next).inserted {
                    throw ConnectorError.permanent("the vendor returned page cursor '\(next.prefix(40))' twice; stopped reading to avoid a loop")
                }
                cursor = page.next
            }
            defer { index += 1 }
            return buffer[index]
        }
    }

    /// Every item, collected.
    public func collect() async throws -> [Item] {
        var all: [Item] = []
        for try await item in self { all.append(item) }
        return all
    }
}
