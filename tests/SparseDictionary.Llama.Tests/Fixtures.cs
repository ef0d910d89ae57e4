namespace SparseDictionary.Llama.Tests;

/// <summary>Paths of the llama2.c fixtures (<c>tests/fixtures/llama2c</c>) and the corpora (<c>data/corpora</c>) in the repository.</summary>
internal static class Fixtures
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string Llama2cDirectory => Root.Value;

    public static string Stories260K => Path.Combine(Root.Value, "stories260K.bin");

    public static string Stories260KReference => Path.Combine(Root.Value, "stories260K_once.bin");

    public static string Tok512 => Path.Combine(Root.Value, "tok512.bin");

    public static string Stories260KHf => Path.Combine(Root.Value, "more", "stories260K-hf");

    public static string Aidreams260K => Path.Combine(Root.Value, "more", "aidreams260K", "aidreams260K.bin");

    public static string AidreamsTok512 => Path.Combine(Root.Value, "more", "aidreams260K", "tok512.bin");

    /// <summary>The corpora shipped with the repository (WikiText-2).</summary>
    public static string Corpora => Path.GetFullPath(Path.Combine(Root.Value, "..", "..", "..", "data", "corpora"));

    /// <summary>The prompt "Once upon a time" as the reference tokenised it, BOS first.</summary>
    public static readonly long[] OnceUponATime = [1, 403, 407, 261, 378];

    // The repository root is the directory holding SparseDictionary.sln.
    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SparseDictionary.sln")))
            {
                string fixtures = Path.GetFullPath(Path.Combine(dir.FullName, "tests", "fixtures", "llama2c"));
                return Directory.Exists(fixtures)
                    ? fixtures
                    : throw new DirectoryNotFoundException($"The llama2.c fixtures are expected at '{fixtures}'.");
            }
        }
        throw new DirectoryNotFoundException($"No directory above '{AppContext.BaseDirectory}' holds SparseDictionary.sln.");
    }
}
