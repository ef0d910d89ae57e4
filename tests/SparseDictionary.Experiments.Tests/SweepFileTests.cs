using SparseDictionary.Autoencoders;
using SparseDictionary.Experiments.Runs;
using SparseDictionary.Llama.Tests;
using SparseDictionary.Losses;
using SparseDictionary.Training;
using Xunit;

namespace SparseDictionary.Experiments.Tests;

public sealed class SweepFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Write(string json)
    {
        string path = _temp.File($"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Grid_ExpandsToEveryCombination_OverTheBase()
    {
        SweepFile sweep = SweepFile.Read(Write("""
            { "base": { "total_steps": 200, "expansion_factor": 4, "learning_rate_shape": "cosine_with_hard_restarts" },
              "grid": { "architecture": ["standard", "gated"], "l1_coefficient": [1, 2.5, 4] } }
            """));
        IReadOnlyList<SaeRunConfig> runs = sweep.Expand();
        Assert.Equal(6, runs.Count);
        Assert.Equal(
            ["standard/1", "standard/2.5", "standard/4", "gated/1", "gated/2.5", "gated/4"],
            runs.Select(r => $"{r.Architecture.Architecture.Name}/{r.Architecture.Sparsity.Value}"));
        Assert.All(runs, r => Assert.Equal((200, 4, LearningRateShape.CosineWithHardRestarts),
            (r.Training.TotalSteps, r.ExpansionFactor, r.Training.LearningRateShape)));
        Assert.Equal("architecture=gated_l1_coefficient=2.5", runs[4].Name);
        Assert.Equal(runs.Count, runs.Select(r => r.Name).Distinct().Count());

        // An architecture's parameter in the base applies to every run, so its grid may hold only architectures that have it.
        IReadOnlyList<SaeRunConfig> gated = SweepFile.Read(Write("""
            { "base": { "architecture": "gated", "gated_loss": "without_auxiliary" }, "grid": { "l1_coefficient": [1, 2] } }
            """)).Expand();
        Assert.Equal([1.0, 2.0], gated.Select(r => ((GatedSpec)r.Architecture).L1Coefficient));
        Assert.All(gated, r => Assert.Equal(GatedLossVariant.WithoutAuxiliary, ((GatedSpec)r.Architecture).GatedLoss));
        string mixed = Write("""{ "base": { "gated_loss": "without_auxiliary" }, "grid": { "architecture": ["gated", "standard"] } }""");
        var error = Assert.Throws<InvalidDataException>(() => SweepFile.Read(mixed));
        Assert.Contains("'gated_loss' is not a parameter of the standard architecture", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoGrid_IsTheBaseAlone()
    {
        Assert.Equal(new SaeRunConfig { Architecture = new StandardSpec { L1Coefficient = 3 } }, Assert.Single(SweepFile.Read(Write("""{ "base": { "l1_coefficient": 3 } }""")).Expand()));
    }

    [Theory]
    [InlineData("""{ "grid": { "l1": [1, 2] } }""", "grid field 'l1' is not a run setting")]
    [InlineData("""{ "grid": { "l1_coefficient": [] } }""", "grid field 'l1_coefficient' must be a non-empty array")]
    [InlineData("""{ "base": { "stpes": 10 } }""", "base")]
    [InlineData("""{ "grid": { "architecture": ["standard", "mystery"] } }""", "unknown architecture 'mystery'")]
    [InlineData("""{ "base": { "architecture": "standard", "k": 16 } }""", "'k' is not a parameter of the standard architecture")]
    [InlineData("""{ "base": { "steps": 10 } }""", "'steps' is not a run setting")]
    [InlineData("""{ "bases": {} }""", "unknown top-level field 'bases'")]
    [InlineData("""{ "base": """, "is not valid JSON")]
    public void BadFiles_NameTheFileAndTheProblem(string json, string message)
    {
        string path = Write(json);
        var error = Assert.Throws<InvalidDataException>(() => SweepFile.Read(path).Expand(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
