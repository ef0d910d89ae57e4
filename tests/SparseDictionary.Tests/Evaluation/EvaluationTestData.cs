using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Evaluation;

/// <summary>Builds hand-made forward passes so evaluators can be tested without an SAE.</summary>
internal static class EvaluationTestData
{
    public static Tensor Matrix(float[,] values) => tensor(values);

    /// <summary>A forward pass with the given reconstruction and features (pre-activations equal the features).</summary>
    public static SaeForward Forward(Tensor reconstruction, Tensor features) => new(features, reconstruction, features);

    /// <summary>A forward pass that only carries features (the reconstruction is zeros of width 1).</summary>
    public static SaeForward FeaturesOnly(float[,] features)
    {
        var f = tensor(features);
        return Forward(zeros(f.shape[0], 1), f);
    }
}
