extension HumanGateHandler {
    /// The choices a gate offers: one per outgoing edge, in edge order. The text is the
    /// edge's label, or the target's id when the edge has none. Keys follow
    /// `explicitAcceleratorKey(in:)`; a choice without one gets the first letter or digit of
    /// its text (upper-cased) as the specification describes — unless another choice
    /// already uses that key, so a key never names two choices.
    public static func choices(for edges: [OutgoingEdgeInfo]) -> [HumanChoice] {
        let labels = edges.map { $0.label.trimmingSpacesAndNewlines().isEmpty ? $0.target : $0.label.trimmingSpacesAndNewlines() }
        let explicit = labels.map(explicitAcceleratorKey(in:))
        var used = Set(explicit.compactMap { $0?.lowercased() })
        var choices: [HumanChoice] = []
        for (index, edge) in edges.enumerated() {
            var key = explicit[index]
            if key == nil, let first = labels[index].first(where: { $0.isLetter || $0.isNumber }) {
                let derived = String(first).uppercased()
                if !used.contains(derived.lowercased()) {
                    key = derived
                    used.insert(derived.lowercased())
                }
            }
            choices.append(HumanChoice(label: labels[index], key: key, target: edge.target))
        }
        return choices
    }

    /// The accelerator key a label spells out: `Y` from `[Y] Yes, deploy`, `Y) Yes, deploy`
    /// or `Y - Yes, deploy`; `nil` for a label in none of these forms. A bracketed key may
    /// be up to 8 characters without spaces; the other forms take one letter or digit.
    public static func explicitAcceleratorKey(in label: String) -> String? {
        explicitAccelerator(in: label)?.key
    }

    /// The label without its accelerator prefix (`Yes, deploy` from `[Y] Yes, deploy`), or
    /// the label itself when it has none.
    public static func labelText(_ label: String) -> String {
        explicitAccelerator(in: label)?.text ?? label
    }

    private static func explicitAccelerator(in label: String) -> (key: String, text: String)? {
        let text = label.trimmingSpacesAndNewlines()
        let characters = Array(text)
        if characters.first == "[", let close = characters.prefix(10).firstIndex(of: "]"), close > 1 {
            let key = characters[1..<close]
            if !key.contains(where: { $0 == " " || $0 == "\t" }) {
                return (String(key), String(characters[(close + 1)...]).trimmingSpacesAndNewlines())
            }
        }
        guard characters.count >= 2, characters[0].isLetter || characters[0].isNumber else { return nil }
        if characters[1] == ")" {
            return (String(characters[0]), String(characters[2...]).trimmingSpacesAndNewlines())
        }
        if characters.count >= 4, characters[1] == " ", characters[2] == "-", characters[3] == " " {
            return (String(characters[0]), String(characters[4...]).trimmingSpacesAndNewlines())
        }
        return nil
    }
}
