using System.Text.RegularExpressions;
using SparseDictionary.Autoencoders;
using Xunit;

namespace SparseDictionary.Tests.Architectures;

/// <summary>
/// The registry is the one place that knows architectures: outside it and the architectures' own folders, no source file
/// spells an architecture's name as a string literal (code asks <see cref="SaeArchitectures"/> or uses an entry's
/// <c>ArchitectureName</c> constant). Like the layer rules, this keeps a new architecture to its folder and one line.
/// </summary>
public class ArchitectureLiteralTests
{
    // Foreign formats' own vocabulary that happens to equal one of our names; each entry says why it is not ours.
    private static readonly (string File, string Literal)[] Allowed =
    [
        // sparsify's cfg.json "activation" value, not an architecture of this library.
        ("src/SparseDictionary/Formats/SparsifyFolder.cs", "topk"),
    ];

    [Fact]
    public void NoArchitectureNameLiteralOutsideTheRegistryAndTheArchitectureFolders()
    {
        string root = RepositoryRoot();
        string[] names = [.. SaeArchitectures.Names];
        string architectures = Path.Combine(root, "src", "SparseDictionary", "Autoencoders");
        string[] owned = [.. Directory.GetDirectories(architectures).Select(d => d + Path.DirectorySeparatorChar)];
        Assert.Contains(owned, d => d.EndsWith($"Registry{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

        var offences = new List<string>();
        int scanned = 0;
        foreach (string folder in new[] { "src", "samples", "benchmarks", "tools" })
        {
            foreach (string file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
                if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal)) continue;
                if (owned.Any(o => file.StartsWith(o, StringComparison.Ordinal))) continue;
                scanned++;
                string[] lines = File.ReadAllLines(file);
                for (int i = 0; i < lines.Length; i++)
                {
                    if (lines[i].TrimStart().StartsWith("///", StringComparison.Ordinal) || lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal)) continue;
                    foreach (Match m in Regex.Matches(lines[i], "\"([a-z_\\-]+)\""))
                    {
                        string literal = m.Groups[1].Value;
                        if (names.Contains(literal.Replace('-', '_')) && !Allowed.Contains((relative, literal)))
                        {
                            offences.Add($"{relative}:{i + 1}: \"{literal}\"");
                        }
                    }
                }
            }
        }
        Assert.True(scanned > 100, $"only {scanned} files scanned; is the repository root right ({root})?");
        Assert.True(offences.Count == 0, "Architecture names spelled outside the registry:\n" + string.Join('\n', offences));
    }

    [Fact]
    public void TheScanFindsALiteralWhereThereIsOne()
    {
        // The pattern the scan uses, on a line that should be caught and one that should not.
        Assert.Matches("\"([a-z_\\-]+)\"", "x => x == \"gated\"");
        Assert.Contains("gated", Regex.Matches("string a = \"gated\";", "\"([a-z_\\-]+)\"").Select(m => m.Groups[1].Value));
        Assert.DoesNotContain("gated", Regex.Matches("string a = GatedArchitecture.ArchitectureName;", "\"([a-z_\\-]+)\"").Select(m => m.Groups[1].Value));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SparseDictionary.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No directory above '{AppContext.BaseDirectory}' holds SparseDictionary.sln.");
    }
}
