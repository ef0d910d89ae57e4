namespace SparseDictionary.Cli.Tests;

/// <summary>The repository's fixtures (tests/fixtures/llama2c) and a temporary folder per test class.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The llama2.c fixtures.</summary>
    public static string Llama2c => Path.Combine(RootPath.Value, "tests", "fixtures", "llama2c");

    /// <summary>stories260K (dim 64, 5 layers, vocab 512, max sequence 512) in llama2.c's format; tok512.bin beside it.</summary>
    public static string Stories260K => Path.Combine(Llama2c, "stories260K.bin");

    /// <summary>The same model as a Hugging Face folder (no tokenizer in it).</summary>
    public static string Stories260KHf => Path.Combine(Llama2c, "more", "stories260K-hf");

    /// <summary>Its tokenizer.</summary>
    public static string Tok512 => Path.Combine(Llama2c, "tok512.bin");

    /// <summary>A short story in the style the model was trained on, several hundred tokens long.</summary>
    public const string Story =
        "Once upon a time, there was a little girl named Lily. She loved to play in the park with her big red ball. " +
        "One day, she saw a dog near the tree. The dog was sad because he lost his bone. Lily wanted to help the dog. " +
        "She looked under the bench and behind the slide. Then she found the bone in the sand! The dog was very happy. " +
        "He wagged his tail and licked her hand. Lily and the dog played with the ball all day. When the sun went down, " +
        "Lily went home to her mom. She told her mom about the dog and the bone. Her mom smiled and gave her a big hug. " +
        "The next day, Lily went back to the park. The dog was there again, waiting for her under the tree. " +
        "They ran and jumped and laughed together. Lily knew that she had made a new friend. The end.";

    /// <summary>Creates a new empty folder under the system's temporary folder.</summary>
    public static string NewTempFolder()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sdict-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SparseDictionary.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No directory above '{AppContext.BaseDirectory}' holds SparseDictionary.sln.");
    }
}
