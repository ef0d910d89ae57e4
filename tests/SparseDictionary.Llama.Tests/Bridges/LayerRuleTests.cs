using Xunit;

namespace SparseDictionary.Llama.Tests.Bridges;

/// <summary>The model's folders know nothing of sparse autoencoders; only Bridges/ connects the two.</summary>
public sealed class LayerRuleTests
{
    [Theory]
    [InlineData("Model")]
    [InlineData("Hooks")]
    [InlineData("Loading")]
    public void ModelFolders_DoNotMentionSaeTypes(string folder)
    {
        string directory = Path.GetFullPath(Path.Combine(RepositoryRoot(), "src", "SparseDictionary.Llama", folder));
        string[] files = Directory.GetFiles(directory, "*.cs", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            string text = File.ReadAllText(file);
            foreach (string forbidden in new[] { "SparseDictionary.Autoencoders", "ISparseAutoencoder", "SparseDictionary.Llama.Bridges" })
            {
                Assert.False(text.Contains(forbidden, StringComparison.Ordinal), $"{file} mentions {forbidden}.");
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SparseDictionary.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"No directory above '{AppContext.BaseDirectory}' holds SparseDictionary.sln.");
    }
}
