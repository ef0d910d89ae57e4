using System.CommandLine;

namespace SparseDictionary.Cli.Inputs;

/// <summary>
/// <c>--force</c>: what a command would otherwise refuse to overwrite (a trained SAE folder, a complete activation
/// cache) is replaced. Without it, a second run with the same <c>--output</c> stops before any work, naming the folder.
/// </summary>
internal sealed class ForceOption
{
    /// <summary>The option.</summary>
    public Option<bool> Option { get; } = new("--force") { Description = "Replace existing output (a trained SAE folder, a complete cache) instead of refusing." };

    /// <summary>Throws unless <paramref name="folder"/> is absent or empty, or <c>--force</c> was given.</summary>
    /// <param name="parsed">The parse result.</param>
    /// <param name="folder">The output folder.</param>
    /// <param name="option">The option that named it, for the message.</param>
    /// <param name="what">What the folder holds, for the message ("an SAE").</param>
    public void RefuseExisting(ParseResult parsed, string folder, string option, string what)
    {
        if (parsed.GetValue(Option)) return;
        bool occupied = Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any() || File.Exists(folder);
        if (occupied)
        {
            throw CliException.Usage($"{option}: '{folder}' already holds {what}; give --force to replace it, or choose another folder.");
        }
    }
}
