using System.CommandLine;

namespace SparseDictionary.Cli;

/// <summary>
/// One subcommand of <c>sdict</c>. Adding a subcommand is one class implementing this (in <c>Commands/</c>) and one line in
/// <see cref="CommandCatalog"/>; errors are thrown, never printed (see <see cref="ErrorReporter"/>).
/// </summary>
internal interface ICliCommand
{
    /// <summary>Builds the command, its options and its action; the action returns the exit code.</summary>
    /// <param name="context">The streams and flags the action runs against.</param>
    Command Build(CliContext context);
}
