import Testing
import TrellisDOT
@testable import TrellisEngine

@Suite("HumanGateHandler on the public pipelines", .timeLimit(.minutes(1)))
struct HumanGateHandlerCorpusTests {
    @Test("each corpus human gate offers keyed choices and its human.default_choice names one of them")
    func corpusGates() throws {
        var gates = 0
        for (file, graph) in try LeafCorpus.graphs() {
            for node in graph.nodes where node.attributes["shape"]?.raw == "hexagon" || node.attributes["type"]?.raw == "wait.human" {
                let edges = graph.outgoingEdges(of: node.id).map {
                    OutgoingEdgeInfo(label: $0.attributes["label"]?.text ?? "", target: $0.to)
                }
                let question = HumanQuestion(nodeID: node.id, prompt: "", choices: HumanGateHandler.choices(for: edges))
                #expect(!question.choices.isEmpty, "\(file) \(node.id)")
                #expect(question.choices.allSatisfy { $0.key != nil }, "\(file) \(node.id): \(question.choiceSummary)")
                if let defaultChoice = node.attributes["human.default_choice"]?.text {
                    guard case .matched = question.choice(matching: defaultChoice) else {
                        Issue.record("\(file) \(node.id): default \(defaultChoice) names no choice of \(question.choiceSummary)")
                        continue
                    }
                }
                gates += 1
            }
        }
        #expect(gates >= 2, "megaplan and megaplan_quality each have an interview gate")
    }
}
