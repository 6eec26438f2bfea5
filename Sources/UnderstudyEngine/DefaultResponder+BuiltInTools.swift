import Foundation
import UnderstudyGenerators
import UnderstudyModel

extension DefaultResponder {
    /// Call and result blocks of the declared built-in tools (google_search, code_execution, url_context),
    /// placed before the answer text. Built-in tools run "server-side": they never cause requires_action.
    /// Results are offline and deterministic; code is never executed, but recognisable computations
    /// (the guide's Fibonacci number, factorials, powers, sums, primes) get their true results.
    func builtInToolBlocks(_ context: ResponseContext) -> [Content] {
        var blocks: [Content] = []
        let types = Set(context.request.tools.map(\.type))
        let text = context.lastUserText
        if types.contains("google_search") {
            let id = context.identity.shortID(8, context.label, "google_search")
            let query = Self.clip(text.trimmingCharacters(in: .whitespacesAndNewlines), 100)
            let slug = Self.slug(query)
            blocks.append(Content(type: "google_search_call", fields: ["id": .string(id), "arguments": ["queries": [.string(query)]]]))
            blocks.append(Content(type: "google_search_result", fields: [
                "call_id": .string(id),
                "result": [
                    ["url": .string("https://example.com/search/\(slug)/1"), "title": .string("Example result 1 for \(query)"), "rendered_content": .string("<div class=\"understudy-search\">\(query)</div>")],
                    ["url": .string("https://example.org/search/\(slug)/2"), "title": .string("Example result 2 for \(query)"), "rendered_content": .string("<div class=\"understudy-search\">\(query)</div>")],
                ],
            ]))
        }
        if types.contains("code_execution") {
            let id = context.identity.shortID(8, context.label, "code_execution")
            let (code, result) = CodeTasks.program(for: text)
            blocks.append(Content(type: "code_execution_call", fields: ["id": .string(id), "arguments": ["code": .string(code), "language": "python"]]))
            blocks.append(Content(type: "code_execution_result", fields: ["call_id": .string(id), "result": .string(result)]))
        }
        if types.contains("url_context") {
            let id = context.identity.shortID(8, context.label, "url_context")
            let urls = Self.urls(in: text)
            blocks.append(Content(type: "url_context_call", fields: ["id": .string(id), "arguments": ["urls": .array(urls.map { .string($0) })]]))
            blocks.append(Content(type: "url_context_result", fields: [
                "call_id": .string(id),
                "result": .array(urls.map { ["url": .string($0), "status": "success"] }),
            ]))
        }
        return blocks
    }

    /// The answer text when built-in tools ran: it cites the search results with annotations.
    func groundedText(_ context: ResponseContext, tools: [Content], base: String) -> Content {
        if let result = tools.first(where: { $0.type == "google_search_result" }), let first = result.result?.arrayValue?.first,
            let url = first["url"]?.stringValue
        {
            let lead = "According to the search results, "
            let text = lead + base
            let start = lead.utf8.count
            return .text(text, annotations: [[
                "start_index": .int(Int64(start)), "end_index": .int(Int64(text.utf8.count)), "source": .string(url),
                "type": "url_citation", "url": .string(url), "title": first["title"] ?? .null,
            ]])
        }
        if let result = tools.first(where: { $0.type == "code_execution_result" }), let output = result.result?.stringValue {
            return .text("The code printed \(output.trimmingCharacters(in: .whitespacesAndNewlines)). " + base)
        }
        if tools.contains(where: { $0.type == "url_context_result" }) {
            return .text("I read the page(s) you gave. " + base)
        }
        return .text(base)
    }

    static func slug(_ s: String) -> String {
        let lowered = s.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(String(lowered).split(separator: "-").joined(separator: "-").prefix(60))
    }

    /// http(s) URLs in text, in order, without trailing punctuation.
    static func urls(in text: String) -> [String] {
        var out: [String] = []
        for word in text.split(whereSeparator: { $0.isWhitespace || $0 == "'" || $0 == "\"" || $0 == "(" || $0 == ")" }) {
            var w = String(word)
            guard w.hasPrefix("http://") || w.hasPrefix("https://") || w.hasPrefix("www.") else { continue }
            while let last = w.last, ".,;:!?".contains(last) { w.removeLast() }
            out.append(w.hasPrefix("www.") ? "https://" + w : w)
        }
        return out.isEmpty ? ["https://example.com/"] : out
    }
}

/// Recognisable computations and the Python a model would write for them.
enum CodeTasks {
    static func program(for prompt: String) -> (code: String, result: String) {
        let p = prompt.lowercased()
        let numbers = p.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        let n = numbers.first ?? 10
        if p.contains("fibonacci") {
            let k = min(n, 90)
            return ("a, b = 0, 1\nfor _ in range(\(k)):\n    a, b = b, a + b\nprint(a)", "\(fibonacci(k))\n")
        }
        if p.contains("factorial") {
            let k = min(n, 20)
            return ("import math\nprint(math.factorial(\(k)))", "\((1...max(1, k)).reduce(1, *))\n")
        }
        if p.contains("prime") {
            let k = min(max(n, 1), 10_000)
            var primes: [Int] = []
            var c = 2
            while primes.count < k { if (2..<c).allSatisfy({ c % $0 != 0 || $0 * $0 > c }) { primes.append(c) }; c += 1 }
            return ("primes = []\nc = 2\nwhile len(primes) < \(k):\n    if all(c % d for d in range(2, int(c ** 0.5) + 1)):\n        primes.append(c)\n    c += 1\nprint(primes[-1])", "\(primes.last ?? 2)\n")
        }
        if (p.contains("sum") || p.contains("add")) && numbers.count >= 1 {
            if numbers.count == 1 { return ("print(sum(range(1, \(n) + 1)))", "\(n * (n + 1) / 2)\n") }
            return ("print(sum([\(numbers.map(String.init).joined(separator: ", "))]))", "\(numbers.reduce(0, +))\n")
        }
        if p.contains("power") || p.contains("^"), numbers.count >= 2, numbers[1] < 63 {
            let r = (0..<numbers[1]).reduce(1) { acc, _ in acc.multipliedReportingOverflow(by: numbers[0]).partialValue }
            return ("print(\(numbers[0]) ** \(numbers[1]))", "\(r)\n")
        }
        return ("print(\"Understudy does not execute code; this is a deterministic stand-in.\")", "Understudy does not execute code; this is a deterministic stand-in.\n")
    }

    static func fibonacci(_ n: Int) -> Int {
        var (a, b) = (0, 1)
        for _ in 0..<n { (a, b) = (b, a &+ b) }
        return a
    }
}
