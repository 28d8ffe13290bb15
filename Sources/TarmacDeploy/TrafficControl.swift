import Foundation
import TarmacCore
import TarmacHost

/// BlockTraffic and AllowTraffic: a group's `traffic` commands, run on this machine with the
/// host and the deployment in the environment.
public enum TrafficControl {
    public static func runner(group: DeploymentGroup, hosts: [DeploymentGroup.Host], request: DeploymentRequest)
        -> HostDeployment.TrafficControl?
    {
        guard let traffic = group.traffic else { return nil }
        let addresses = Dictionary(hosts.map { ($0.name, $0.address) }, uniquingKeysWith: { a, _ in a })
        return { event, host in
            let command = event == .blockTraffic ? traffic.block : traffic.allow
            let environment = [
                "TARMAC_HOST_NAME": host, "TARMAC_HOST_ADDRESS": addresses[host] ?? host,
                "DEPLOYMENT_ID": request.deploymentID, "DEPLOYMENT_GROUP_NAME": request.groupName,
                "DEPLOYMENT_GROUP_ID": request.groupID, "APPLICATION_NAME": request.application,
                "LIFECYCLE_EVENT": event.rawValue,
            ]
            do {
                let outcome = try await LocalCommand.run(command, environment: environment)
                guard outcome.status == 0 else {
                    return EventResult(
                        name: event.rawValue, status: .failed, exitCode: outcome.status,
                        message: "the traffic command exited \(outcome.status)"
                            + (outcome.output.isEmpty ? "" : ": " + outcome.output))
                }
                return EventResult(name: event.rawValue, status: .succeeded)
            } catch {
                return EventResult(
                    name: event.rawValue, status: .failed, message: "the traffic command did not run: \(error)")
            }
        }
    }
}
