using SparseDictionary.Features;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Features;

public class FeatureStatisticsTests
{
    private const int Latents = 7;
    private const int Length = 9;

    // Three batches of sequences; about a third of the activations are zero, some positions are masked out and the last
    // sequence of each batch ends in padding (token −1).
    private static List<(float[,,] Features, long[,] Tokens, bool[,] Mask)> RandomBatches(int seed)
    {
        var random = new Random(seed);
        var batches = new List<(float[,,], long[,], bool[,])>();
        foreach (int sequences in new[] { 3, 1, 4 })
        {
            var f = new float[sequences, Length, Latents];
            var tokens = new long[sequences, Length];
            var mask = new bool[sequences, Length];
            for (int s = 0; s < sequences; s++)
            {
                for (int p = 0; p < Length; p++)
                {
                    bool padding = s == sequences - 1 && p >= Length - 2;
                    tokens[s, p] = padding ? -1 : random.Next(100);
                    mask[s, p] = !padding && random.NextDouble() > 0.15;
                    for (int j = 0; j < Latents; j++)
                    {
                        // Distinct values, so the top-N order is unambiguous.
                        f[s, p, j] = padding || random.NextDouble() < 0.35 ? 0 : (float)(random.NextDouble() * 10 + 1e-3 * random.Next(1000));
                    }
                }
            }
            batches.Add((f, tokens, mask));
        }
        return batches;
    }

    private static FeatureStatisticsResult Run(List<(float[,,] Features, long[,] Tokens, bool[,] Mask)> batches, FeatureStatisticsOptions options)
    {
        using var stats = new FeatureStatistics(Latents, options);
        foreach ((float[,,] f, long[,] t, bool[,] m) in batches)
        {
            using var scope = NewDisposeScope();
            stats.Accumulate(tensor(f), tensor(t), tensor(m));
        }
        return stats.Result();
    }

    private sealed record Candidate(float Value, long Sequence, int Position, float[,,] F, long[,] T, int Local);

    private static List<Candidate> AllCounted(List<(float[,,] Features, long[,] Tokens, bool[,] Mask)> batches, int latent)
    {
        var all = new List<Candidate>();
        long sequenceBase = 0;
        foreach ((float[,,] f, long[,] t, bool[,] m) in batches)
        {
            for (int s = 0; s < f.GetLength(0); s++)
            {
                for (int p = 0; p < Length; p++)
                {
                    if (m[s, p]) all.Add(new Candidate(f[s, p, latent], sequenceBase + s, p, f, t, s));
                }
            }
            sequenceBase += f.GetLength(0);
        }
        return all;
    }

    [Fact]
    public void Top_examples_equal_a_full_sort_of_the_stream_with_their_contexts()
    {
        var batches = RandomBatches(1);
        var options = new FeatureStatisticsOptions { TopExamples = 4, ContextBefore = 3, ContextAfter = 2 };
        FeatureStatisticsResult result = Run(batches, options);
        for (int j = 0; j < Latents; j++)
        {
            List<Candidate> expected = [.. AllCounted(batches, j).Where(c => c.Value > 0).OrderByDescending(c => c.Value).Take(4)];
            IReadOnlyList<FeatureExample> actual = result.TopExamples(j);
            Assert.Equal(expected.Count, actual.Count);
            for (int r = 0; r < expected.Count; r++)
            {
                Candidate e = expected[r];
                FeatureExample a = actual[r];
                Assert.Equal(e.Value, a.Activation);
                Assert.Equal(e.Sequence, a.Sequence);
                Assert.Equal(e.Position, a.Position);
                // The context: positions p − 3 … p + 2 inside the sequence, padding dropped.
                var positions = Enumerable.Range(e.Position - 3, 6).Where(q => q >= 0 && q < Length && e.T[e.Local, q] >= 0).ToArray();
                Assert.Equal(positions.Select(q => (int)e.T[e.Local, q]), a.Tokens);
                Assert.Equal(positions.Select(q => e.F[e.Local, q, j]), a.Activations);
                Assert.Equal(Array.IndexOf(positions, e.Position), a.Focus);
                Assert.Equal(e.Value, a.Activations[a.Focus]);
            }
        }
    }

    [Fact]
    public void Frequency_mean_and_max_match_a_direct_computation()
    {
        var batches = RandomBatches(2);
        FeatureStatisticsResult result = Run(batches, new FeatureStatisticsOptions { TopExamples = 2 });
        long tokens = AllCounted(batches, 0).Count;
        Assert.Equal(tokens, result.TokenCount);
        for (int j = 0; j < Latents; j++)
        {
            float[] values = [.. AllCounted(batches, j).Select(c => c.Value)];
            int fired = values.Count(v => v > 0);
            Assert.Equal(fired, result.FireCount(j));
            Assert.Equal((double)fired / tokens, result.Frequency(j), 12);
            Assert.Equal(values.Sum(v => (double)v) / tokens, result.MeanActivation(j), 5);
            Assert.Equal(values.Sum(v => (double)v) / fired, result.MeanActivationWhenFiring(j), 5);
            Assert.Equal(values.Max(), result.MaxActivation(j));
        }
    }

    [Fact]
    public void The_histogram_counts_each_positive_activation_in_its_log_spaced_bin()
    {
        // One sequence, one latent: 0.0005 (below the first edge → bin 0), 0.001 (bin 0), 0.02 (log10 −1.70 → bin 1 of
        // 2 per decade from −3: ⌊(−1.70 + 3)·2⌋ = 2), 1.5 (⌊3.18·2⌋ = 6), 2e6 (above the last edge → last bin 9), and 0 (not counted).
        float[] values = [0.0005f, 0.001f, 0.02f, 1.5f, 2e6f, 0f];
        var options = new FeatureStatisticsOptions { TopExamples = 1, HistogramMinLog10 = -3, HistogramMaxLog10 = 2, HistogramBinsPerDecade = 2 };
        using var stats = new FeatureStatistics(1, options);
        stats.Accumulate(tensor(values).reshape(1, 6, 1), zeros(1, 6, ScalarType.Int64));
        FeatureStatisticsResult result = stats.Result();
        long[] expected = new long[10];
        expected[0] = 2;
        expected[2] = 1;
        expected[6] = 1;
        expected[9] = 1;
        Assert.Equal(expected, result.Histogram(0).ToArray());
        Assert.Equal(11, result.HistogramEdges.Count);
        Assert.Equal(1e-3, result.HistogramEdges[0], 12);
        Assert.Equal(100, result.HistogramEdges[10], 9);
        Assert.Equal(5, result.FireCount(0));
    }

    [Fact]
    public void A_latent_that_never_fires_has_no_examples_and_zero_frequency()
    {
        using var stats = new FeatureStatistics(2, new FeatureStatisticsOptions { TopExamples = 3 });
        float[,,] f = { { { 0, 1 }, { 0, 2 } } };
        stats.Accumulate(tensor(f), tensor(new long[,] { { 5, 6 } }));
        FeatureStatisticsResult result = stats.Result();
        Assert.Empty(result.TopExamples(0));
        Assert.Equal(0, result.Frequency(0));
        Assert.Equal(0, result.MeanActivationWhenFiring(0));
        Assert.Equal(2, result.TopExamples(1).Count);
        Assert.Equal([2f, 1f], result.TopExamples(1).Select(e => e.Activation));
        Assert.Equal([5, 6], result.TopExamples(1)[0].Tokens);
    }

    [Fact]
    public void Mismatched_shapes_are_rejected()
    {
        using var stats = new FeatureStatistics(3);
        Assert.Throws<ArgumentException>(() => stats.Accumulate(zeros(2, 4, 5), zeros(2, 4, ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => stats.Accumulate(zeros(2, 4, 3), zeros(2, 5, ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => stats.Accumulate(zeros(2, 4, 3), zeros(2, 4, ScalarType.Int64), ones(4, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureStatistics(3, new FeatureStatisticsOptions { TopExamples = 0 }));
    }
}
