using SparseDictionary.Autoencoders;
using SparseDictionary.Formats;
using SparseDictionary.Testing;
using SparseDictionary.Training;
using Xunit;
using Xunit.Abstractions;
using static SparseDictionary.Tests.Formats.SaeLensTestData;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Formats;

/// <summary>
/// Mutated SAE configs (SAELens and sparsify <c>cfg.json</c>) and training checkpoints (<c>checkpoint.json</c>) either load
/// or fail with the library's documented exception; none hangs, crashes or allocates beyond what the file justifies. The
/// safetensors reader has its own fuzz test (<see cref="SafeTensorsFuzzTests"/>).
/// </summary>
public sealed class ConfigFuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void MutatedSaeLensConfigsLoadOrThrowSaeFormatException()
    {
        string folder = WriteFolder(_temp.File("saelens"), null, GatedWeights());
        byte[] valid = System.Text.Encoding.UTF8.GetBytes(V6Config("gated"));
        var outcome = FuzzHarness.Run(valid, Path.Combine(folder, SaeLensFolder.ConfigFileName), _ =>
        {
            // Load reads the config, then checks the weights against it.
            using ISparseAutoencoder sae = SaeLensFolder.Load(folder);
        }, [typeof(SaeFormatException)], seed: 61, iterations: 1500, text: true);
        output.WriteLine(FuzzHarness.Describe("SAELens cfg.json", outcome));
        Assert.True(outcome.Accepted > 0 && outcome.Rejected > 0, "the mutations should both keep and break the config");
    }

    [Fact]
    public void MutatedSparsifyConfigsLoadOrThrowSaeFormatException()
    {
        string folder = _temp.File("sparsify");
        Directory.CreateDirectory(folder);
        SafeTensors.Save(Path.Combine(folder, SparsifyFolder.WeightsFileName), new Dictionary<string, Tensor>
        {
            ["encoder.weight"] = tensor(new float[,] { { 1, 0 }, { 0, 2 }, { -1, 1 } }),
            ["encoder.bias"] = tensor(BEnc),
            ["W_dec"] = tensor(WDec),
            ["b_dec"] = tensor(BDec),
        });
        byte[] valid = """{"activation": "topk", "expansion_factor": 32, "normalize_decoder": true, "num_latents": 3, "k": 1, "multi_topk": false, "skip_connection": false, "transcode": false, "d_in": 2}"""u8.ToArray();
        var outcome = FuzzHarness.Run(valid, Path.Combine(folder, SparsifyFolder.ConfigFileName), _ =>
        {
            using TopKSae sae = SparsifyFolder.Load(folder);
        }, [typeof(SaeFormatException)], seed: 62, iterations: 1500, text: true);
        output.WriteLine(FuzzHarness.Describe("sparsify cfg.json", outcome));
        Assert.True(outcome.Accepted > 0 && outcome.Rejected > 0);
    }

    [Fact]
    public void MutatedCheckpointStateFilesLoadOrThrowTrainingCheckpointException()
    {
        // A real checkpoint of a tiny run; its checkpoint.json is then mutated.
        string folder = _temp.File("checkpoint");
        using (var generator = new Generator(1))
        using (var sae = new StandardSae(4, 8, generator: generator))
        using (var source = new SparseDictionary.Activations.InMemoryActivationSource(randn(256, 4, generator: generator)))
        using (var cts = new CancellationTokenSource())
        {
            var options = new TrainerOptions
            {
                TotalSteps = 10, BatchSize = 32, InitializationTokens = 64, LogEverySteps = 1, Checkpoint = new CheckpointOptions(folder, 100),
            };
            cts.Cancel();
            new SaeTrainer(sae, new StandardSpec(), options).Train(source, cancellationToken: cts.Token);
        }
        string state = Path.Combine(folder, TrainingCheckpoint.StateFileName);
        byte[] valid = File.ReadAllBytes(state);
        var outcome = FuzzHarness.Run(valid, state, _ =>
        {
            using var checkpoint = TrainingCheckpoint.Load(folder);
        }, [typeof(TrainingCheckpointException)], seed: 63, iterations: 500, text: true);
        output.WriteLine(FuzzHarness.Describe("checkpoint.json", outcome));
        Assert.True(outcome.Rejected > 0);
    }
}
