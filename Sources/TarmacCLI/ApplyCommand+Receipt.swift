import Foundation
import TarmacCore
import TarmacDeploy
import TarmacEngine

extension ApplyCommand {
    /// Says where the receipt is (or why there is none) and writes the `--receipt` copy.
    func reportReceipt(_ result: HostResult, request: DeploymentRequest) {
        guard let outcome = result.receipt else { return }
        switch outcome {
        case .failure:
            // Already among the result's warnings.
            if let receipt { Console.say("warning: no receipt was copied to \(receipt)") }
        case .success(let written):
            let path = request.layout.receiptFile(request.deploymentID)
            let how =
                written.signing.signed ? "signed with this host's key" : "unsigned: \(written.signing.reason ?? "")"
            Console.say("receipt \(path) (\(how))")
            guard let receipt else { return }
            do {
                try copy(path, to: Console.absolute(receipt))
                if written.signing.signed { try copy(path + ".sig", to: Console.absolute(receipt) + ".sig") }
                Console.say("receipt copied to \(Console.absolute(receipt))")
            } catch {
                Console.say("warning: the receipt was not copied to \(receipt): \(error.localizedDescription)")
            }
        }
    }

    private func copy(_ source: String, to destination: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: source))
        try data.write(to: URL(fileURLWithPath: destination), options: .atomic)
    }
}
