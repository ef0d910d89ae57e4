using System.Text.Json.Nodes;
using SparseDictionary.Autoencoders;
using SparseDictionary.Formats;
using SparseDictionary.Tests.Formats;
using SparseDictionary.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Architectures;

/// <summary>What every registered architecture must do, checked over the whole registry so a new one is covered by its line.</summary>
public sealed class ArchitectureRegistryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public static TheoryData<string> Names() => [.. SaeArchitectures.Names];

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void AnUnknownNameIsAnErrorListingTheKnownNames()
    {
        var e = Assert.Throws<ArgumentException>(() => SaeArchitectures.Get("relu"));
        foreach (string name in SaeArchitectures.Names) Assert.Contains(name, e.Message);
        Assert.False(SaeArchitectures.TryGet("relu", out _));
        Assert.False(SaeArchitectures.TryGet(null, out _));
    }

    [Fact]
    public void NamesAreUniqueAndAHyphenStandsForAnUnderscore()
    {
        Assert.Equal(SaeArchitectures.Names.Count(), SaeArchitectures.Names.Distinct().Count());
        Assert.Same(MatryoshkaBatchTopKArchitecture.Instance, SaeArchitectures.Get("matryoshka-batchtopk"));
        Assert.Same(MatryoshkaBatchTopKArchitecture.Instance, SaeArchitectures.Get("matryoshka_batchtopk"));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EachEntryBuildsItsOwnSaeAndLoss(string name)
    {
        SaeArchitecture entry = SaeArchitectures.Get(name);
        ArchitectureSpec spec = entry.DefaultSpec;
        Assert.Same(entry, spec.Architecture);
        Assert.Equal(entry.SpecType, spec.GetType());
        using var generator = new Generator(1);
        using ISparseAutoencoder sae = spec.CreateSae(8, 32, generator: generator);
        Assert.Equal(name, sae.Architecture);
        Assert.Same(entry, SaeArchitectures.Of(sae));
        var loss = spec.CreateLoss(sae, new TrainerOptions());
        Assert.Contains(loss.Terms, t => t.Term.Name == "mse_loss");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ASpecRoundTripsThroughItsParameters(string name)
    {
        SaeArchitecture entry = SaeArchitectures.Get(name);
        ArchitectureSpec changed = entry.DefaultSpec switch
        {
            StandardSpec s => s with { L1Coefficient = 2.5 },
            GatedSpec s => s with { L1Coefficient = 0.5, GatedLoss = GatedLossVariant.WithoutAuxiliary },
            MatryoshkaBatchTopKSpec s => s with { K = 7, Groups = [4, 28], GroupWeights = [0.5, 1] },
            BatchTopKSpec s => s with { K = 7, ThresholdStartStep = 3 },
            TopKSpec s => s with { K = 7, AuxKLatents = 3 },
            JumpReluSpec s => s with { L0Coefficient = 0.1, Bandwidth = 0.2 },
            var other => throw new InvalidOperationException($"Add a changed spec of {other.GetType().Name} to this test."),
        };
        Assert.NotEqual(entry.DefaultSpec, changed);
        JsonObject json = entry.WriteSpec(changed);
        Assert.Equal(entry.Parameters.Select(p => p.Name).Order(), json.Select(p => p.Key).Order());
        Assert.Equal(changed, entry.ReadSpec(json));
        Assert.Equal(entry.DefaultSpec, entry.ReadSpec([]));
    }

    [Fact]
    public void AParameterOfAnotherArchitectureOrOutOfRangeIsNamed()
    {
        var foreign = Assert.Throws<ArgumentException>(() => StandardArchitecture.Instance.ReadSpec([new("k", JsonValue.Create(4))]));
        Assert.Equal("k", foreign.ParamName);
        Assert.Contains("l1_coefficient", foreign.Message);
        var negative = Assert.Throws<ArgumentException>(() => GatedArchitecture.Instance.ReadSpec([new("l1_coefficient", JsonValue.Create(-1.0))]));
        Assert.Equal("l1_coefficient", negative.ParamName);
        var badEnum = Assert.Throws<ArgumentException>(() => GatedArchitecture.Instance.ReadSpec([new("gated_loss", JsonValue.Create("no-aux"))]));
        Assert.Equal("gated_loss", badEnum.ParamName);
        var groups = Assert.Throws<ArgumentException>(() => MatryoshkaBatchTopKArchitecture.Instance.ReadSpec([new("groups", new JsonArray(4, 0))]));
        Assert.Equal("groups", groups.ParamName);
    }

    [Fact]
    public void ASpecTrainsOnlyItsOwnArchitecture()
    {
        using var sae = new StandardSae(4, 8);
        var e = Assert.Throws<ArgumentException>(() => new SaeTrainer(sae, new GatedSpec(), new TrainerOptions()));
        Assert.Contains("gated", e.Message);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EverySaeSavesAsSaeLensAndLoadsBackWithTheSameFeatures(string name)
    {
        ArchitectureSpec spec = SaeArchitectures.Get(name).DefaultSpec is TopKFamilySpec topK ? topK with { K = 3 } : SaeArchitectures.Get(name).DefaultSpec;
        using var generator = new Generator(5);
        using ISparseAutoencoder sae = spec.CreateSae(8, 32, dtype: ScalarType.Float64, generator: generator);
        if (sae is BatchTopKSae batch) batch.Threshold = 0.05;
        using (no_grad())
        {
            foreach (var p in sae.NamedParameters.Values) p.add_(randn(p.shape, dtype: p.dtype, generator: generator) * 0.1);
        }
        string folder = Path.Combine(_temp.Path, name);
        SaeLensFolder.Save(sae, folder);
        using ISparseAutoencoder loaded = SaeLensFolder.Load(folder);

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = randn(new long[] { 16, 8 }, dtype: ScalarType.Float64, generator: generator) * 2;
        var expected = sae.Encode(x);
        Assert.True((expected > 0).any().item<bool>(), "the test input should activate some latents");
        Assert.True(expected.allclose(loaded.Encode(x), rtol: 1e-12, atol: 1e-12), $"{name}: features differ after a SAELens round trip");
        Assert.True(sae.Forward(x).Reconstruction.allclose(loaded.Forward(x).Reconstruction, rtol: 1e-12, atol: 1e-12));
    }
}
