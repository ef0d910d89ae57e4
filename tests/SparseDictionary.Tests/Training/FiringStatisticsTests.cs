using SparseDictionary.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Training;

public class FiringStatisticsTests
{
    private static bool[] Mask(Tensor t) => t.data<bool>().ToArray();

    [Fact]
    public void TracksTokensSinceFiringAndFiringSinceReset()
    {
        using var stats = new FiringStatistics(4, CPU);
        using var scope = NewDisposeScope();

        // Batch 1, 2 tokens: only latent 1 fires (negative values are not firing). Tokens since fired: (2, 0, 2, 2).
        stats.Update(tensor(new double[,] { { 0, 1, 0, 0 }, { -1, 2, 0, 0 } }));
        Assert.Equal(0.75, stats.DeadFraction(2), 12);   // latents 0, 2, 3 have gone 2 tokens without firing
        Assert.Equal(0.0, stats.DeadFraction(3), 12);

        // Batch 2, 3 tokens: only latent 2 fires. Tokens since fired: (5, 3, 0, 5).
        stats.Update(tensor(new double[,] { { 0, 0, 0.5, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 } }));
        Assert.Equal(0.75, stats.DeadFraction(1), 12);   // all but latent 2
        Assert.Equal(0.75, stats.DeadFraction(3), 12);   // 5, 3, 5 ≥ 3
        Assert.Equal(0.5, stats.DeadFraction(5), 12);    // latents 0 and 3
        Assert.Equal(0.0, stats.DeadFraction(6), 12);
        Assert.Equal(new[] { true, false, false, true }, Mask(stats.NotFiredSinceReset()));

        // New window: nothing has fired since. Then latent 3 fires on one token. Tokens since fired: (6, 4, 1, 0).
        stats.ResetWindow();
        Assert.Equal(new[] { true, true, true, true }, Mask(stats.NotFiredSinceReset()));
        stats.Update(tensor(new double[,] { { 0, 0, 0, 0.1 } }));
        Assert.Equal(new[] { true, true, true, false }, Mask(stats.NotFiredSinceReset()));
        Assert.Equal(0.5, stats.DeadFraction(4), 12);    // latents 0 (6) and 1 (4)
        // The window reset does not touch the token counts.
        Assert.Equal(0.25, stats.DeadFraction(6), 12);

        // Freshly resampled latents 0 and 1 count as just fired: tokens since fired (0, 0, 1, 0).
        stats.MarkFresh(tensor(new long[] { 0, 1 }));
        Assert.Equal(0.0, stats.DeadFraction(2), 12);
        Assert.Equal(0.25, stats.DeadFraction(1), 12);   // only latent 2 (1 token)
        // Marking fresh is about dead counts; the resampling window is reset separately.
        Assert.Equal(new[] { true, true, true, false }, Mask(stats.NotFiredSinceReset()));
    }

    [Fact]
    public void CountsFiringsPerLatent_OnlyOnTheRowsAMaskAdmits_OnTheFirstBatchsDevice()
    {
        // No device given: the counters are created on the first batch's.
        using var stats = new FiringStatistics(3);
        using var scope = NewDisposeScope();
        Assert.Equal(new long[3], stats.FiringCounts());
        Assert.Throws<InvalidOperationException>(() => stats.DeadFraction(1));

        // 3 rows; the middle one (padding, say) is not counted: latent 0 fires on rows 0 and 2, latent 1 only on row 1.
        stats.Update(tensor(new float[,] { { 1, 0, 0 }, { 0, 2, 0 }, { 3, 0, -1 } }), tensor(new[] { true, false, true }));
        Assert.Equal(new long[] { 2, 0, 0 }, stats.FiringCounts());
        Assert.Equal(2, stats.TokenCount);
        // Tokens since fired (0, 2, 2): latent 1's firing on the masked row does not count either.
        Assert.Equal(2.0 / 3, stats.DeadFraction(2), 12);

        // Unmasked: every row counts. Latent 1 fires on both rows, latent 2 on one: counts (2, 2, 1), 4 tokens.
        stats.Update(tensor(new float[,] { { 0, 1, 0.5f }, { 0, 1, 0 } }));
        Assert.Equal(new long[] { 2, 2, 1 }, stats.FiringCounts());
        Assert.Equal(4, stats.TokenCount);
        Assert.Equal(1.0 / 3, stats.DeadFraction(2), 12); // latent 0: 2 tokens since it fired

        Assert.Throws<ArgumentException>(() => stats.Update(zeros(2, 4)));
        Assert.Throws<ArgumentException>(() => stats.Update(zeros(2, 3), tensor(new[] { true })));
    }
}
