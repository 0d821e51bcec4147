import Foundation
import TrellisEngine

/// Checks a value against the JSON Schema keywords a tool's parameters use: `type` (one or a
/// list), `properties`, `required`, `additionalProperties: false`, `enum`, `const`, `minimum`,
/// `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `minLength`, `maxLength`, `pattern`,
/// `items`, `minItems`, `maxItems`, `anyOf`. Other keywords are not checked (annotations such
/// as `description` and `default` need no check).
///
/// Each problem is one line naming where it is (`city`, `days`, `stops[2].name`), so the model
/// can read it and correct its call.
public struct JSONSchemaCheck: Sendable {
    /// The schema.
    public let schema: ContextValue

    /// A check against `schema`.
    public init(_ schema: ContextValue) { self.schema = schema }

    /// Every problem with `value`, or none.
    public func problems(in value: ContextValue) -> [String] {
        var problems: [String] = []
        check(value, against: schema, at: "", into: &problems)
        return problems
    }

    private func check(_ value: ContextValue, against schema: ContextValue, at path: String, into problems: inout [String]) {
        guard case .map(let rules) = schema else { return }
        // A compact message list is checked as the list it reads as.
        if case .messages(let messages) = value { return check(.list(Array(messages)), against: schema, at: path, into: &problems) }
        let place = path.isEmpty ? "the arguments" : "'\(path)'"
        if let type = rules["type"] {
            let allowed = (type.list ?? []).isEmpty ? [type.stringValue] : (type.list ?? []).map(\.stringValue)
            guard allowed.contains(where: { Self.matches(value, type: $0) }) else {
                problems.append("\(place) must be \(allowed.joined(separator: " or ")), not \(Self.typeName(value))")
                return
            }
        }
        if let options = rules["enum"]?.list, !options.isEmpty, !options.contains(where: { Self.equal($0, value) }) {
            problems.append("\(place) must be one of \(options.map(\.jsonText).joined(separator: ", ")), not \(value.jsonText)")
        }
        if let constant = rules["const"], !Self.equal(constant, value) {
            problems.append("\(place) must be \(constant.jsonText)")
        }
        if let alternatives = rules["anyOf"]?.list, !alternatives.isEmpty {
            let fits = alternatives.contains { alternative in
                var inner: [String] = []
                check(value, against: alternative, at: path, into: &inner)
                return inner.isEmpty
            }
            if !fits { problems.append("\(place) matches none of the allowed forms") }
        }
        switch value {
        case .integer, .double:
            let number = Self.number(value)!
            if let bound = rules["minimum"].flatMap(Self.number), number < bound { problems.append("\(place) must be at least \(Self.text(bound)), not \(Self.text(number))") }
            if let bound = rules["maximum"].flatMap(Self.number), number > bound { problems.append("\(place) must be at most \(Self.text(bound)), not \(Self.text(number))") }
            if let bound = rules["exclusiveMinimum"].flatMap(Self.number), number <= bound { problems.append("\(place) must be more than \(Self.text(bound))") }
            if let bound = rules["exclusiveMaximum"].flatMap(Self.number), number >= bound { problems.append("\(place) must be less than \(Self.text(bound))") }
        case .string(let text):
            let length = text.count
            if let bound = rules["minLength"]?.integer, length < bound { problems.append("\(place) must have at least \(bound) characters") }
            if let bound = rules["maxLength"]?.integer, length > bound { problems.append("\(place) must have at most \(bound) characters") }
            if let pattern = rules["pattern"]?.string {
                if let expression = try? NSRegularExpression(pattern: pattern),
                   expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                    problems.append("\(place) must match the pattern \(pattern)")
                }
            }
        case .list(let items):
            if let bound = rules["minItems"]?.integer, items.count < bound { problems.append("\(place) must have at least \(bound) items") }
            if let bound = rules["maxItems"]?.integer, items.count > bound { problems.append("\(place) must have at most \(bound) items") }
            if let itemSchema = rules["items"] {
                for (index, item) in items.enumerated() { check(item, against: itemSchema, at: "\(path)[\(index)]", into: &problems) }
            }
        case .map(let members):
            let properties: [String: ContextValue]
            if case .map(let declared)? = rules["properties"] { properties = declared } else { properties = [:] }
            for name in (rules["required"]?.list ?? []).map(\.stringValue) where members[name] == nil {
                problems.append("\(Self.join(path, name)) is required")
            }
            for name in members.keys.sorted() {
                let inner = Self.join(path, name)
                if let propertySchema = properties[name] {
                    check(members[name]!, against: propertySchema, at: inner.replacingOccurrences(of: "'", with: ""), into: &problems)
                } else if rules["additionalProperties"] == .boolean(false) {
                    problems.append("\(inner) is not a known argument (known: \(properties.keys.sorted().joined(separator: ", ")))")
                } else if let extra = rules["additionalProperties"], case .map = extra {
                    check(members[name]!, against: extra, at: inner.replacingOccurrences(of: "'", with: ""), into: &problems)
                }
            }
        default:
            break
        }
    }

    private static func join(_ path: String, _ name: String) -> String { "'" + (path.isEmpty ? name : path + "." + name) + "'" }

    private static func matches(_ value: ContextValue, type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .boolean), ("null", .null), ("array", .list), ("array", .messages), ("object", .map): return true
        case ("integer", .integer): return true
        case ("integer", .double(let number)): return number.rounded() == number
        case ("number", .integer), ("number", .double): return true
        default: return false
        }
    }

    private static func typeName(_ value: ContextValue) -> String {
        switch value {
        case .string: return "a string"
        case .integer: return "an integer"
        case .double: return "a number"
        case .boolean: return "a boolean"
        case .list, .messages: return "an array"
        case .map: return "an object"
        case .null: return "null"
        }
    }

    private static func number(_ value: ContextValue) -> Double? {
        switch value {
        case .integer(let number): return Double(number)
        case .double(let number): return number
        default: return nil
        }
    }

    private static func equal(_ left: ContextValue, _ right: ContextValue) -> Bool {
        if let a = number(left), let b = number(right) { return a == b }
        return left == right
    }

    private static func text(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}
