using System.Reflection;
using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges;
using SparseDictionary.Formats;
using Xunit;

namespace SparseDictionary.Llama.Tests;

/// <summary>
/// The layers the issue asks for, checked on the compiled assemblies: the SAE core knows nothing of Llama, the Llama
/// model knows nothing of SAEs, and only the bridges see both.
/// </summary>
public sealed class LayerRuleTests
{
    private static readonly Assembly SafeTensors = typeof(SafeTensorsFile).Assembly;
    private static readonly Assembly Core = typeof(ISparseAutoencoder).Assembly;
    private static readonly Assembly Llama = typeof(LlamaModel).Assembly;
    private static readonly Assembly Bridges = typeof(LossRecoveredEvaluator).Assembly;

    [Fact]
    public void EachLayerIsItsOwnAssembly()
    {
        Assert.Equal(4, new[] { SafeTensors, Core, Llama, Bridges }.Distinct().Count());
    }

    [Fact]
    public void LlamaModel_ReferencesOnlyTheSafeTensorsReader()
    {
        Assert.Equal(["SparseDictionary.SafeTensors"], OwnReferences(Llama));
    }

    [Fact]
    public void SaeCore_ReferencesOnlyTheSafeTensorsReader()
    {
        Assert.Equal(["SparseDictionary.SafeTensors"], OwnReferences(Core));
    }

    [Fact]
    public void SafeTensorsReader_ReferencesNoOtherLayer()
    {
        Assert.Empty(OwnReferences(SafeTensors));
    }

    [Fact]
    public void Bridges_SeeBothLayers()
    {
        // And the shared SafeTensors assembly, whose AtomicDirectory writes the feature browser's site.
        Assert.Equal(["SparseDictionary", "SparseDictionary.Llama", "SparseDictionary.SafeTensors"], OwnReferences(Bridges));
    }

    // Referenced assemblies of this project's own (SparseDictionary*), sorted.
    private static string[] OwnReferences(Assembly assembly) => assembly.GetReferencedAssemblies()
        .Select(a => a.Name!)
        .Where(n => n.StartsWith("SparseDictionary", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToArray();
}
