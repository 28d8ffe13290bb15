import TarmacCLI

await TarmacCommand.entryPoint()
