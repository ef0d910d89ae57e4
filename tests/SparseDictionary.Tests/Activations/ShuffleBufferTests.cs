using SparseDictionary.Activations;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Activations;

/// <summary>The shuffle buffer serves a permutation of its input, far from input order, reproducibly, in bounded memory.</summary>
public sealed class ShuffleBufferTests
{
    private const int Rows = 20_000;

    /// <summary>Rows whose first column is their input index, served in order and in uneven batches.</summary>
    private static CountingSource Input(int rows = Rows) =>
        new(new InMemoryActivationSource(arange(rows, dtype: ScalarType.Float32).unsqueeze(1).expand(rows, 3).contiguous(), shuffle: false, cycle: false));

    /// <summary>Input index of every row served, batch by batch, checking the memory bound after every call.</summary>
    private static List<long[]> Drain(ShuffleBuffer buffer, CountingSource inner, int batchSize)
    {
        var batches = new List<long[]>();
        while (true)
        {
            using var scope = NewDisposeScope();
            Tensor? batch = buffer.NextBatch(batchSize);
            Assert.InRange(buffer.Count, 0, buffer.Capacity);
            // Independent of Count: rows taken from the inner source but not served yet are what the buffer holds.
            Assert.Equal(inner.Position - buffer.Position, buffer.Count);
            Assert.InRange(inner.LargestRequest, 0, buffer.Capacity);
            if (batch is null) break;
            Assert.InRange(batch.shape[0], 1, batchSize);
            batches.Add(batch.select(1, 0).to(ScalarType.Int64).data<long>().ToArray());
        }
        return batches;
    }

    [Theory]
    [InlineData(4_096, 256)]
    [InlineData(1_000, 333)]
    [InlineData(64, 100)]      // batches larger than the buffer
    [InlineData(50_000, 512)]  // a buffer larger than the input
    public void ServesEveryRowExactlyOnce(int capacity, int batchSize)
    {
        using CountingSource inner = Input();
        using var buffer = new ShuffleBuffer(inner, new ShuffleBufferOptions { Capacity = capacity, Seed = 7 }, disposeInner: false);
        List<long[]> batches = Drain(buffer, inner, batchSize);

        long[] served = batches.SelectMany(b => b).ToArray();
        Assert.Equal(Rows, served.Length);
        Assert.Equal(Enumerable.Range(0, Rows).Select(i => (long)i), served.Order());
        Assert.Equal(Rows, buffer.Position);
        Assert.Null(buffer.NextBatch(batchSize));
        Assert.Equal(0, buffer.Count);
    }

    [Fact]
    public void BatchesAreFarFromInputOrder()
    {
        const int capacity = 4_096;
        using CountingSource inner = Input();
        using var buffer = new ShuffleBuffer(inner, new ShuffleBufferOptions { Capacity = capacity, Seed = 1 }, disposeInner: false);
        List<long[]> batches = Drain(buffer, inner, 256);

        double[] gaps = batches.SelectMany(b => b.Zip(b.Skip(1), (x, y) => (double)Math.Abs(x - y))).ToArray();
        // Two rows drawn at random from a window of ~capacity rows lie about capacity/3 apart; in order they would be 1 apart.
        Assert.True(gaps.Average() > capacity / 5.0, $"mean gap {gaps.Average()}");
        Assert.True(gaps.Count(g => g == 1) < gaps.Length / 100, "too many neighbours in a row");
        // The very first batch is already mixed over the whole first fill.
        Assert.True(batches[0].Max() - batches[0].Min() > capacity * 3 / 4);
    }

    [Fact]
    public void SameSeedSameOrder()
    {
        long[] Order(long seed)
        {
            using CountingSource inner = Input(5_000);
            using var buffer = new ShuffleBuffer(inner, new ShuffleBufferOptions { Capacity = 1_024, Seed = seed }, disposeInner: false);
            return Drain(buffer, inner, 200).SelectMany(b => b).ToArray();
        }

        Assert.Equal(Order(3), Order(3));
        Assert.NotEqual(Order(3), Order(4));
    }

    [Fact]
    public void StoresInTheRequestedDTypeAndOwnsTheInnerSource()
    {
        var inner = Input(100);
        var buffer = new ShuffleBuffer(inner, new ShuffleBufferOptions { Capacity = 32, StorageDType = ScalarType.Float16 });
        using (Tensor batch = buffer.NextBatch(8)!)
        {
            Assert.Equal(ScalarType.Float16, batch.dtype);
            Assert.Equal([8L, 3], batch.shape);
        }
        buffer.Dispose();
        Assert.True(inner.Disposed);
    }

    [Fact]
    public void OptionsAreValidated()
    {
        using CountingSource inner = Input(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShuffleBuffer(inner, new ShuffleBufferOptions { Capacity = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShuffleBuffer(inner, new ShuffleBufferOptions { StorageDType = ScalarType.Int32 }));
    }

    /// <summary>Passes batches through, remembering the largest request and whether it was disposed.</summary>
    private sealed class CountingSource(IActivationSource inner) : IActivationSource
    {
        public int DIn => inner.DIn;

        public long Position => inner.Position;

        public int LargestRequest { get; private set; }

        public bool Disposed { get; private set; }

        public Tensor? NextBatch(int batchSize)
        {
            LargestRequest = Math.Max(LargestRequest, batchSize);
            return inner.NextBatch(batchSize);
        }

        public void Dispose()
        {
            Disposed = true;
            inner.Dispose();
        }
    }
}
