/// How an answer text matched a question's choices.
public enum HumanChoiceMatch: Sendable, Equatable {
    /// Exactly one choice matched.
    case matched(HumanChoice)
    /// No choice matched.
    case none
    /// Several choices matched equally well.
    case ambiguous([HumanChoice])
}

extension HumanQuestion {
    /// The choice an answer text names — the rule every interviewer and
    /// `human.default_choice` share. Compared without case and surrounding spaces, in
    /// this order, the first rule that matches anything deciding:
    /// 1. the accelerator key (`Y`),
    /// 2. the whole label (`[Y] Yes, deploy`),
    /// 3. the label without its key (`Yes, deploy`),
    /// 4. the target node id (`deploy`),
    /// 5. the choice's number, counting from 1.
    public func choice(matching answer: String) -> HumanChoiceMatch {
        let wanted = answer.trimmingSpacesAndNewlines().lowercased()
        guard !wanted.isEmpty else { return .none }
        let rules: [(HumanChoice) -> Bool] = [
            { $0.key?.lowercased() == wanted },
            { $0.label.lowercased() == wanted },
            { HumanGateHandler.labelText($0.label).lowercased() == wanted },
            { $0.target.lowercased() == wanted },
        ]
        for rule in rules {
            let found = choices.filter(rule)
            if found.count == 1 { return .matched(found[0]) }
            if found.count > 1 { return .ambiguous(found) }
        }
        if let number = Int(wanted), number >= 1, number <= choices.count {
            return .matched(choices[number - 1])
        }
        return .none
    }

    /// The choices as one line for messages: `[Y] Yes, deploy (key Y), No (key N)`.
    public var choiceSummary: String {
        choices.map { choice in
            guard let key = choice.key else { return choice.label }
            return "\(choice.label) (key \(key))"
        }.joined(separator: ", ")
    }
}
