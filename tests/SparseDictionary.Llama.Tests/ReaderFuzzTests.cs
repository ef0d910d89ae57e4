using System.Text;
using SparseDictionary.Llama.Corpus;
using SparseDictionary.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SparseDictionary.Llama.Tests;

/// <summary>
/// Mutated model, tokenizer and corpus files (byte flips, truncations, huge declared lengths, lying offsets, deep nesting)
/// either read or fail with the library's documented exception; none hangs, crashes, or allocates more managed memory than
/// the file justifies. Seeded, so every run reads the same inputs.
/// </summary>
public sealed class ReaderFuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string DefaultModel = Path.GetFullPath(Path.Combine(Fixtures.Corpora, "..", "..", "models", "wikitext2-llama"));
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void MutatedLlama2cCheckpointsLoadOrThrowModelFormatException()
    {
        // The header's seven int32s decide every size: most mutations land there or change the length.
        byte[] valid = File.ReadAllBytes(Fixtures.Stories260K);
        var outcome = FuzzHarness.Run(valid, _temp.File("model.bin"), path =>
        {
            using LlamaModel model = Llama2cCheckpoint.Load(path);
        }, [typeof(ModelFormatException)], seed: 71, iterations: 250);
        output.WriteLine(FuzzHarness.Describe("llama2.c checkpoint", outcome));
        Assert.True(outcome.Accepted > 0 && outcome.Rejected > 0);
    }

    [Fact]
    public void MutatedHuggingFaceConfigsReadOrThrowModelFormatException()
    {
        string folder = _temp.File("hf");
        Directory.CreateDirectory(folder);
        byte[] valid = File.ReadAllBytes(Path.Combine(Fixtures.Stories260KHf, "config.json"));
        var outcome = FuzzHarness.Run(valid, Path.Combine(folder, "config.json"), _ => HuggingFaceCheckpoint.ReadConfig(folder),
            [typeof(ModelFormatException)], seed: 72, iterations: 1500, text: true);
        output.WriteLine(FuzzHarness.Describe("config.json", outcome));
        Assert.True(outcome.Accepted > 0 && outcome.Rejected > 0);
    }

    [Fact]
    public void MutatedLlama2cTokenizersLoadOrThrowModelFormatException()
    {
        byte[] valid = File.ReadAllBytes(Fixtures.Tok512);
        var outcome = FuzzHarness.Run(valid, _temp.File("tokenizer.bin"), path =>
        {
            var tokenizer = Llama2cTokenizer.Load(path, 512);
            tokenizer.Decode(tokenizer.Encode("Once upon a time, Lily saw a dog. \u00e9\u4e16", addBos: true));
        }, [typeof(ModelFormatException)], seed: 73, iterations: 1500);
        output.WriteLine(FuzzHarness.Describe("tokenizer.bin", outcome));
        Assert.True(outcome.Accepted > 0 && outcome.Rejected > 0);
    }

    [Fact]
    public void MutatedSentencePieceModelsLoadOrThrowModelFormatException()
    {
        byte[] valid = File.ReadAllBytes(Path.Combine(DefaultModel, "tokenizer.model"));
        var outcome = FuzzHarness.Run(valid, _temp.File("tokenizer.model"), path =>
        {
            var tokenizer = SentencePieceTokenizer.Load(path);
            tokenizer.Decode(tokenizer.Encode("Once upon a time, Lily saw a dog. \u00e9\u4e16", addBos: true));
        }, [typeof(ModelFormatException)], seed: 74, iterations: 600);
        output.WriteLine(FuzzHarness.Describe("tokenizer.model", outcome));
        Assert.True(outcome.Accepted > 0 && outcome.Rejected > 0);
    }

    [Fact]
    public void MutatedJsonlCorporaReadOrThrowCorpusFormatException()
    {
        var lines = Enumerable.Range(0, 12).Select(i =>
            "{\"id\": \"doc-" + i + "\", \"text\": \"Document " + i + ": once upon a time \\u00e9 \\\"quoted\\\" " + new string('x', i * 7)
            + "\", \"lines\": [" + i + ", " + (i * 3) + "], \"meta\": {\"n\": " + i + ".5}}");
        byte[] valid = Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n");
        var outcome = FuzzHarness.Run(valid, _temp.File("corpus.jsonl"), path =>
        {
            foreach (var document in new JsonlSource(path).ReadDocuments()) _ = document.Text.Length;
        }, [typeof(CorpusFormatException)], seed: 75, iterations: 1500, text: true);
        output.WriteLine(FuzzHarness.Describe("JSONL", outcome));
        Assert.True(outcome.Accepted > 0 && outcome.Rejected > 0);
    }
}
