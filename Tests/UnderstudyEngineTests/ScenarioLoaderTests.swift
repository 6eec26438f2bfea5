import Foundation
import Testing
import UnderstudyModel
import UnderstudyStore
import UnderstudyWire

@testable import UnderstudyEngine

/// Problems of a scenario text, or an issue when it loads.
func loadProblems(_ text: String, fixtures: String = "fixtures", sourceLocation: SourceLocation = #_sourceLocation) -> [ScenarioProblem] {
    do {
        _ = try ScenarioLoader(fixturesDirectory: fixtures).load(text: text, source: "t.yaml")
        Issue.record("loaded without problems", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.problems
    }
}

@Suite("Scenarios: loading and lint")
struct ScenarioLoaderTests {
    @Test func everyNumberIsRangeCheckedWithItsPlaceAndAFix() {
        let text = """
            name: neg
            match: {nth: 0}
            reply:
              text: x
              usage: {input_tokens: -5}
              stream: {cut_after: -1, malformed_event: 0, chunk_size: 0, delay: -5s, unknown_event_after: 0, drip: 2h}
              background: [{polls: -1}, {after: -3s}, {polls: 0}]
              retention: -1s
            faults: [{status: 429, times: -1, skip: -2, retry_after_ms: -10, latency: 999999d, retry_after: -1}]
            """
        let problems = loadProblems(text)
        for key in ["nth", "input_tokens", "cut_after", "malformed_event", "chunk_size", "delay", "unknown_event_after", "drip",
                    "polls", "after", "retention", "times", "skip", "retry_after_ms", "latency", "retry_after"] {
            #expect(problems.contains { $0.message.contains(".\(key)' ") }, "no problem for \(key): \(problems.map(\.message))")
        }
        #expect(problems.filter { $0.message.contains(".polls'") }.count == 2)
        #expect(problems.allSatisfy { $0.line > 0 && $0.fix?.isEmpty == false })
        #expect(problems.first { $0.message.contains("'reply.stream.cut_after' must be 0 or more, got -1.") }?.line == 6)
        #expect(problems.first { $0.message.contains("'faults[0].times'") }?.line == 9)
        // Valid edge values load.
        let edge = """
            name: edge
            match: {nth: 1}
            reply:
              text: x
              usage: {input_tokens: 0}
              stream: {cut_after: 0, malformed_event: 1, chunk_size: 1, delay: 0s, unknown_event_after: 1, drip: 60m}
              background: [{polls: 1}, {after: 0s}, {after: 55d}]
              retention: 0s
            faults: [{status: 429, times: 1, skip: 0, retry_after_ms: 0, latency: 0ms}]
            """
        #expect(throws: Never.self) { try ScenarioLoader().load(text: edge, source: "edge.yaml") }
    }

    @Test func duplicateNamesAreReportedWithBothPlacesAlongWithOtherProblems() {
        let text = """
            scenarios:
              - name: same
                reply: {text: a}
              - name: same
                reply: {text: b, stream: {chunk_size: 0}}
              - name: other
                reply: {txt: c}
            """
        let problems = loadProblems(text)
        let dup = problems.first { $0.message.contains("used twice") }
        #expect(dup?.line == 4)
        #expect(dup?.message.contains("t.yaml:2:") == true)
        #expect(dup?.fix != nil)
        #expect(problems.contains { $0.message.contains("chunk_size'") })
        #expect(problems.contains { $0.message.contains("'txt'") })
        #expect(problems.map(\.line) == problems.map(\.line).sorted())
    }

    @Test func duplicateNamesAcrossFilesAndPathsAreReported() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scen-dup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("a"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("b"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "name: twin\nreply: {text: a}\n".write(to: dir.appendingPathComponent("a/one.yaml"), atomically: true, encoding: .utf8)
        try "name: twin\nreply: {text: b, usage: {output_tokens: -1}}\n".write(to: dir.appendingPathComponent("b/two.yaml"), atomically: true, encoding: .utf8)
        do {
            _ = try ScenarioLoader().load(paths: [dir.appendingPathComponent("a").path, dir.appendingPathComponent("b").path])
            Issue.record("loaded")
        } catch {
            let dup = try #require(error.problems.first { $0.message.contains("used twice") })
            #expect(dup.file.hasSuffix("b/two.yaml") && dup.line == 1)
            #expect(dup.message.contains("a/one.yaml:1:1"))
            #expect(error.problems.contains { $0.message.contains("output_tokens'") })
        }
    }

    @Test func fixturePathsCannotLeaveTheFixturesDirectory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scen-fix-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("fixtures"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("secret".utf8).write(to: dir.appendingPathComponent("secret.pdf"))
        try Data("%PDF".utf8).write(to: dir.appendingPathComponent("fixtures/ok.pdf"))
        let fixtures = dir.appendingPathComponent("fixtures").path
        for path in ["../secret.pdf", "/etc/hostname", "sub/../../secret.pdf", "~/x.png"] {
            let problems = loadProblems("name: t\nreply:\n  outputs: [{type: document, fixture: \"\(path)\"}]\n", fixtures: fixtures)
            #expect(problems.count == 1 && problems[0].message.contains("leaves the fixtures directory"), "\(path): \(problems)")
            #expect(problems.first?.fix?.contains("--fixtures") == true)
        }
        let missing = loadProblems("name: t\nreply:\n  outputs: [{type: document, fixture: nope.pdf}]\n", fixtures: fixtures)
        #expect(missing.first?.message.contains(fixtures) == true)
        #expect(missing.first?.fix?.contains("scenarios lint") == true)
        let ok = try ScenarioLoader(fixturesDirectory: fixtures).load(text: "name: t\nreply:\n  outputs: [{type: document, fixture: ok.pdf}]\n", source: "t")
        #expect(ok[0].steps[0].reply.outputs[0]["mime_type"] == "application/pdf")
    }

    @Test func problemsAreInPlainWordsSortedAndEachHasAFix() {
        let text = """
            name: bad-types
            match:
              has_previous: "yes"
              tools: get_weather
              input_contain: x
            reply:
              status: done
              outputs:
                - {type: text, txet: hi}
              usage: {output_tokens: many}
              error: {code: 500, message: boom}
            faults:
              - {on: post, status: 500}
            """
        let problems = loadProblems(text)
        #expect(problems.count >= 8)
        for p in problems {
            #expect(!p.message.contains("TYPE_"), "\(p)")
            #expect(!p.message.contains("Cannot find field"), "\(p)")
            #expect(p.fix?.isEmpty == false, "no fix: \(p)")
        }
        let lines = problems.map(\.line)
        #expect(lines == lines.sorted())
        #expect(problems.first { $0.message.contains("input_contain") }?.fix?.contains("Did you mean 'input_contains'?") == true)
        #expect(problems.first { $0.message.contains("output_tokens") }?.message == "'reply.usage.output_tokens' must be an integer, got \"many\".")
        #expect(problems.first { $0.message.contains("error.code") }?.fix?.contains("Quote it") == true)
        #expect(problems.first { $0.message.contains("'reply.status'") }?.message.contains("allowed values: completed") == true)
    }

    @Test func templateReferencesMustExistWhenUsed() {
        let text = """
            name: refs
            steps:
              - reply:
                  outputs:
                    - {type: text, text: "{{steps.1.calls.1.id}} then {{steps.2.id}}"}
                    - {type: function_call, name: f}
                    - {type: text, text: "{{reqest.text}} {{steps.1.calls.1.id}}"}
              - expect: {function_results: ["{{steps.1.calls.2.id}}", "{{steps.2.calls.1.id}}"]}
                reply: {text: "ok"}
            """
        let messages = loadProblems(text).map(\.message)
        #expect(messages.count == 5, "\(messages)")
        #expect(messages.contains { $0.contains("'{{steps.1.calls.1.id}}' refers to function call 1 of step 1, but the reply has 0") })
        #expect(messages.contains { $0.contains("'{{steps.2.id}}' refers to step 2") })
        #expect(messages.contains { $0.contains("Unknown template '{{reqest.text}}'") })
        #expect(messages.contains { $0.contains("step 1 makes 1 function call(s)") })
        #expect(messages.contains { $0.contains("'{{steps.2.calls.1.id}}' refers to step 2") })
    }

    @Test func aResultWithoutCallIDNeedsItsCallBeforeIt() {
        let problems = loadProblems("name: t\nreply:\n  outputs:\n    - {type: google_search_result, result: []}\n    - {type: google_search_call, arguments: {}}\n")
        #expect(problems.count == 1 && problems[0].line == 4 && problems[0].message.contains("no 'call_id'"))
    }

    @Test func waitsHaveOneTriggerAndFaultMembersNeedAStatus() {
        let problems = loadProblems("name: t\nreply:\n  text: x\n  background: [{polls: 1, after: 2s}]\nfaults: [{latency: 1s, message: slow}]\n")
        #expect(problems.map(\.line) == [4, 5])
        #expect(problems[0].message.contains("has 2: polls, after"))
        #expect(problems[1].message.contains("'message' has no effect without 'status'"))
    }

    @Test func hugeDurationsAreRejectedNotACrash() {
        #expect(DurationText.parseMillis("1e300d") == nil)
        #expect(loadProblems("name: t\nreply: {text: x, retention: 1e300}\n").first?.message.contains("is not a valid duration") == true)
    }
}

extension Engine {
    func load(_ yaml: String, tenant: String? = nil) throws {
        _ = try scenarios.load(text: yaml, source: "test.yaml", tenant: tenant)
    }

    func createRecord(_ body: JSONValue, tenant: String = "key-1", headers: [String: String]) async throws -> InteractionRecord {
        switch try await create(request(body), tenantKey: tenant, headers: headers) {
        case .interaction(let record): return record
        case .stream: throw UnexpectedOutcome(description: "got a stream")
        }
    }
}

let getWeather: JSONValue = ["type": "function", "name": "get_weather", "parameters": ["type": "object", "properties": ["location": ["type": "string"]]]]

@Suite("Scenarios: same-reply references")
struct ScenarioPairingTests {
    @Test func resultsWithoutCallIDPairWithTheirCallInTheSameReply() async throws {
        let engine = try makeEngine()
        try engine.load("""
            name: search
            reply:
              outputs:
                - {type: google_search_call, arguments: {queries: [a]}}
                - {type: google_search_call, arguments: {queries: [b]}}
                - {type: google_search_result, result: [{url: "https://a.example"}]}
                - {type: google_search_result, result: [{url: "https://b.example"}]}
                - {type: code_execution_call, id: ce1, arguments: {code: "print(1)"}}
                - {type: code_execution_result, call_id: ce1, result: "1"}
                - {type: function_call, name: f}
                - {type: text, text: "call {{steps.1.calls.1.id}} in {{steps.1.id}}"}
            """)
        let r = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x"}"#)
        let calls = r.outputs.filter { $0.type == "google_search_call" }.map(\.id)
        let results = r.outputs.filter { $0.type == "google_search_result" }.map(\.callID)
        #expect(calls.count == 2 && calls == results && calls[0] != calls[1])
        #expect(r.outputs.first { $0.type == "code_execution_result" }?.callID == "ce1")
        let call = try #require(r.outputs.first { $0.type == "function_call" })
        #expect(answer(r) == "call \(call.id!) in \(r.id)")
    }
}
