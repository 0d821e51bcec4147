import TrellisDOT

/// An edge condition prepared for evaluation: context keys are spelled out once and numeric
/// literals parsed once, so evaluating allocates nothing. It has the parsed tree's shape
/// (`&&`/`||` chains are lists), so its depth — and the recursion of building, evaluating and
/// releasing it — is bounded by `ConditionParser.maximumNestingDepth`.
indirect enum CompiledCondition: Sendable {
    case always
    case compare(ConditionOperand, ComparisonOperator, literal: String, number: Double?)
    case truthy(ConditionOperand)
    case not(CompiledCondition)
    case and([CompiledCondition])
    case or([CompiledCondition])

    /// Prepares a parsed condition.
    init(_ expression: ConditionExpression) {
        switch expression {
        case .always: self = .always
        case .comparison(let key, let op, let literal):
            self = .compare(ConditionOperand(key), op, literal: literal, number: Double(literal))
        case .truthy(let key): self = .truthy(ConditionOperand(key))
        case .not(let inner): self = .not(CompiledCondition(inner))
        case .and(let operands): self = .and(operands.map(CompiledCondition.init))
        case .or(let operands): self = .or(operands.map(CompiledCondition.init))
        }
    }

    /// Whether the condition reads the node's outcome status anywhere.
    var readsOutcome: Bool {
        switch self {
        case .always: return false
        case .compare(let operand, _, _, _), .truthy(let operand):
            if case .outcome = operand { return true }
            return false
        case .not(let inner): return inner.readsOutcome
        case .and(let operands), .or(let operands): return operands.contains { $0.readsOutcome }
        }
    }

    /// Evaluates the condition for a node that finished with `status` and `preferredLabel`, against `context`.
    func evaluate(status: OutcomeStatus, preferredLabel: String?, context: Context) -> Bool {
        switch self {
        case .always:
            return true
        case .compare(let operand, let op, let literal, let number):
            return Self.compare(operand, op, literal, number, status: status, preferredLabel: preferredLabel, context: context)
        case .truthy(let operand):
            let text = operand.text(status: status, preferredLabel: preferredLabel, context: context)
            return !text.isEmpty && text != "false" && text != "0"
        case .not(let inner):
            return !inner.evaluate(status: status, preferredLabel: preferredLabel, context: context)
        case .and(let operands):
            // Left to right, stopping at the first false: the short circuit of `&&`.
            for operand in operands where !operand.evaluate(status: status, preferredLabel: preferredLabel, context: context) {
                return false
            }
            return true
        case .or(let operands):
            for operand in operands where operand.evaluate(status: status, preferredLabel: preferredLabel, context: context) {
                return true
            }
            return false
        }
    }

    private static func compare(
        _ operand: ConditionOperand, _ op: ComparisonOperator, _ literal: String, _ number: Double?,
        status: OutcomeStatus, preferredLabel: String?, context: Context
    ) -> Bool {
        switch op {
        case .equal:
            return operand.text(status: status, preferredLabel: preferredLabel, context: context) == literal
        case .notEqual:
            return operand.text(status: status, preferredLabel: preferredLabel, context: context) != literal
        case .contains:
            if case .context = operand, case .list(let items)? = operand.value(context) {
                return items.contains { $0.stringValue == literal }
            }
            return operand.text(status: status, preferredLabel: preferredLabel, context: context).contains(literal)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            // Numeric only: a side that is not a number makes the comparison false (never a string ordering).
            guard let number, let value = operand.number(status: status, preferredLabel: preferredLabel, context: context) else {
                return false
            }
            switch op {
            case .less: return value < number
            case .lessOrEqual: return value <= number
            case .greater: return value > number
            default: return value >= number
            }
        }
    }
}

/// What a condition reads, with the context keys spelled out.
enum ConditionOperand: Sendable {
    case outcome
    case preferredLabel
    /// `prefixed` is `context.<path>`, `bare` is `<path>`: the prefixed key is looked up first, then the bare one.
    case context(prefixed: String, bare: String)

    init(_ key: ConditionKey) {
        switch key {
        case .outcome: self = .outcome
        case .preferredLabel: self = .preferredLabel
        case .context(let path): self = .context(prefixed: "context." + path, bare: path)
        }
    }

    func value(_ context: Context) -> ContextValue? {
        guard case .context(let prefixed, let bare) = self else { return nil }
        return context[prefixed] ?? context[bare]
    }

    func text(status: OutcomeStatus, preferredLabel: String?, context: Context) -> String {
        switch self {
        case .outcome: return status.rawValue
        case .preferredLabel: return preferredLabel ?? ""
        case .context: return value(context)?.stringValue ?? ""
        }
    }

    func number(status: OutcomeStatus, preferredLabel: String?, context: Context) -> Double? {
        switch value(context) {
        case .integer(let whole)?: return Double(whole)
        case .double(let number)?: return number
        default: return Double(text(status: status, preferredLabel: preferredLabel, context: context))
        }
    }
}
