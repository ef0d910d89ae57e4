using SparseDictionary.Autoencoders;
using SparseDictionary.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Autoencoders;

/// <summary>
/// The BatchTopK SAE against hand-computed values (see <see cref="TinySparseSaes.BatchTopK"/>, k = 2, 3 tokens): the
/// batch-level top-k in training, the threshold in inference, and the threshold's update.
/// </summary>
public class BatchTopKSaeTests
{
    // ReLU(pre) = [[2, 1.5, 0, 2.5], [1, 1, 0, 1], [1, 0, 0, 2]]; the batch keeps k·B = 6 values.
    // Sorted: 2.5, 2, 2, 1.5, then four 1s (token 1: latents 0, 1, 3; token 2: latent 0). The four values above 1 are
    // kept, leaving room for two of the tied 1s: the first in row-major order, token 1's latents 0 and 1.
    // Tokens keep 3, 2 and 1 latents: only the batch total is k·B.
    private static readonly double[,] ExpectedTrainingFeatures = { { 2, 1.5, 0, 2.5 }, { 1, 1, 0, 0 }, { 0, 0, 0, 2 } };

    // x̂ = f W_dec + b_dec, rows (1, 0), (0, 1), (1, 1), (0.5, −0.5), b_dec = (1, 0):
    //   token 0: (2, 0) + (0, 1.5) + (1.25, −1.25) = (3.25, 0.25) → (4.25, 0.25)
    //   token 1: (1, 1) → (2, 1);   token 2: 2·(0.5, −0.5) = (1, −1) → (2, −1)
    private static readonly double[,] ExpectedTrainingReconstruction = { { 4.25, 0.25 }, { 2, 1 }, { 2, -1 } };

    [Fact]
    public void TrainingModeKeepsTheBatchsKTimesBLargestActivations()
    {
        using var sae = TinySparseSaes.BatchTopK();
        using var scope = NewDisposeScope();
        sae.OnTrainingStart(new TrainerOptions());
        Assert.True(sae.IsTraining);
        var forward = sae.Forward(TinySparseSaes.BatchTopKInput());

        TensorAssert.Close(new double[,] { { 2, 1.5, -1, 2.5 }, { 1, 1, -0.5, 1 }, { 1, 0, -1.5, 2 } }, forward.PreActivations);
        TensorAssert.Close(ExpectedTrainingFeatures, forward.Features);
        TensorAssert.Close(ExpectedTrainingReconstruction, forward.Reconstruction);
        Assert.Equal(6, (forward.Features > 0).sum().ToInt64());
    }

    [Fact]
    public void InferenceModeThresholdsEachActivationOnItsOwn()
    {
        using var sae = TinySparseSaes.BatchTopK();
        using var scope = NewDisposeScope();
        var x = TinySparseSaes.BatchTopKInput();
        Assert.False(sae.IsTraining);

        // θ = 0 before training: a plain ReLU SAE.
        TensorAssert.Close(new double[,] { { 2, 1.5, 0, 2.5 }, { 1, 1, 0, 1 }, { 1, 0, 0, 2 } }, sae.Encode(x));

        // θ = 1: ReLU(z)·1[z > 1]; token 1's values all equal 1, which does not exceed θ.
        sae.Threshold = 1;
        var expected = new double[,] { { 2, 1.5, 0, 2.5 }, { 0, 0, 0, 0 }, { 0, 0, 0, 2 } };
        TensorAssert.Close(expected, sae.Encode(x));
        TensorAssert.Close(expected, sae.Forward(x).Features);
        // Each token's features do not depend on the rest of the batch.
        TensorAssert.Close(new double[,] { { 0, 0, 0, 2 } }, sae.Encode(x.narrow(0, 2, 1)));

        sae.OnTrainingStart(new TrainerOptions());
        sae.OnTrainingEnd();
        Assert.False(sae.IsTraining);
        TensorAssert.Close(expected, sae.Encode(x));
    }

    [Fact]
    public void ThresholdIsAnEmaOfTheSmallestPositiveActivationFromTheStartStep()
    {
        using var sae = TinySparseSaes.BatchTopK(thresholdDecay: 0.9, thresholdStartStep: 5);
        using var scope = NewDisposeScope();
        sae.OnTrainingStart(new TrainerOptions());
        var forward = sae.Forward(TinySparseSaes.BatchTopKInput());

        sae.OnStepEnd(forward, step: 4); // before the start step: no update
        Assert.Equal(0, sae.ThresholdUpdates);
        Assert.Equal(0.0, sae.Threshold);

        // The smallest kept positive activation is 1 (token 1); the first update takes it as is.
        sae.OnStepEnd(forward, step: 5);
        Assert.Equal(1, sae.ThresholdUpdates);
        Assert.Equal(1.0, sae.Threshold, 12);

        // Then θ ← 0.9 θ + 0.1 m with m = 0.5: 0.9 + 0.05 = 0.95.
        sae.UpdateThreshold(tensor(new double[,] { { 0, 0.5 }, { 3, 0 } }));
        Assert.Equal(0.95, sae.Threshold, 12);

        // A batch without a positive activation leaves θ alone (dictionary_learning would pull it towards 0).
        sae.UpdateThreshold(zeros(2, 2, dtype: ScalarType.Float64));
        Assert.Equal(0.95, sae.Threshold, 12);
        Assert.Equal(2, sae.ThresholdUpdates);
    }

    [Fact]
    public void AnUnsetScheduleIsDerivedFromTheRunLength()
    {
        // dictionary_learning's schedule from 10,000 steps on; shorter runs start at a quarter and use β = 1 − 10/steps.
        Assert.Equal(1000, BatchTopKSae.DefaultThresholdStartStep(10_000));
        Assert.Equal(0.999, BatchTopKSae.DefaultThresholdDecay(10_000), 15);
        Assert.Equal(100, BatchTopKSae.DefaultThresholdStartStep(400));
        Assert.Equal(0.975, BatchTopKSae.DefaultThresholdDecay(400), 15);

        using var sae = TinySparseSaes.BatchTopK(thresholdDecay: null, thresholdStartStep: null);
        using var scope = NewDisposeScope();
        sae.OnTrainingStart(new TrainerOptions { TotalSteps = 400 });
        var forward = sae.Forward(TinySparseSaes.BatchTopKInput());

        sae.OnStepEnd(forward, step: 99); // before step 400 / 4 = 100: no update
        Assert.Equal(0, sae.ThresholdUpdates);
        sae.OnStepEnd(forward, step: 100); // the smallest kept positive activation, 1
        Assert.Equal(1, sae.ThresholdUpdates);
        Assert.Equal(1.0, sae.Threshold, 12);

        // θ ← 0.975 θ + 0.025 m with m = 0.5: 0.975 + 0.0125 = 0.9875.
        sae.UpdateThreshold(tensor(new double[,] { { 0, 0.5 }, { 3, 0 } }));
        Assert.Equal(0.9875, sae.Threshold, 12);
        // The SAE keeps its settings unset: the next run derives them from its own length.
        Assert.Null(sae.ThresholdStartStep);
        Assert.Null(sae.ThresholdDecay);
    }

    [Fact]
    public void InvalidSettingsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchTopKSae(2, 4, k: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchTopKSae(2, 4, k: 2) { ThresholdDecay = 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchTopKSae(2, 4, k: 2) { ThresholdStartStep = -1 });
        using var sae = new BatchTopKSae(2, 4, k: 2);
        Assert.Equal("Threshold", Assert.Throws<ArgumentOutOfRangeException>(() => sae.Threshold = -0.5).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => sae.Threshold = double.NaN);
        Assert.Equal("batchtopk", sae.Architecture);
    }
}
