using SparseDictionary.Cli.Commands;

namespace SparseDictionary.Cli;

/// <summary>The subcommands of <c>sdict</c>, in the order <c>--help</c> lists them.</summary>
internal static class CommandCatalog
{
    /// <summary>Gets every subcommand.</summary>
    public static IReadOnlyList<ICliCommand> All { get; } =
    [
        new CollectCommand(),
        new EvalCommand(),
        new TrainCommand(),
        new SweepCommand(),
        new SeedCommand(),
        new BrowseCommand(),
        new SteerCommand(),
        new EnvCommand(),
    ];
}
