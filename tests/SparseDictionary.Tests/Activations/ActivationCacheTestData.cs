using TorchSharp;
using Xunit;
using SparseDictionary.Activations;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Activations;

/// <summary>Activations whose values say where they came from, and helpers to write and read them back.</summary>
internal static class ActivationCacheTestData
{
    public const int DIn = 8;

    /// <summary>Row i (counted from the start of the corpus) holds i + j/8 in column j: exact in float32 below 2^20.</summary>
    public static Tensor Rows(long start, long count, int dIn = DIn, ScalarType dtype = ScalarType.Float32)
    {
        // Built from arrays rather than arange/div: those take TorchSharp Scalars, which a GC on another thread can free
        // mid-call (see FinalizerSweep). The scope keeps the intermediate tensors reachable until the result exists.
        using var scope = NewDisposeScope();
        var values = new double[count * dIn];
        for (long i = 0; i < count; i++)
        {
            for (int j = 0; j < dIn; j++) values[i * dIn + j] = start + i + j / 8.0;
        }
        return tensor(values, dtype: ScalarType.Float64).reshape(count, dIn).to(dtype).MoveToOuterDisposeScope();
    }

    public static ActivationCacheWriterOptions Options(int shardTokens, ScalarType dtype = ScalarType.Float32) => new()
    {
        ShardTokens = shardTokens,
        StorageDType = dtype,
        ModelName = "test-model",
        HookName = "blocks.3.hook_resid_post",
        Layer = "3",
    };

    /// <summary>Appends tokens [start, end) in uneven batches, so that batches straddle shard boundaries.</summary>
    public static void Append(ActivationCacheWriter writer, long start, long end, int batch = 777)
    {
        for (long at = start; at < end; at += batch)
        {
            using var scope = NewDisposeScope();
            writer.Append(Rows(at, Math.Min(batch, end - at), writer.DIn));
        }
    }

    /// <summary>Writes a complete cache of <paramref name="tokens"/> rows.</summary>
    public static ActivationCacheManifest Write(string directory, long tokens, int shardTokens, ScalarType dtype = ScalarType.Float32)
    {
        using var writer = ActivationCacheWriter.Open(directory, DIn, Options(shardTokens, dtype));
        Append(writer, 0, tokens);
        writer.Complete();
        return writer.Manifest;
    }

    /// <summary>Every remaining row of <paramref name="source"/>, concatenated.</summary>
    public static Tensor ReadAll(IActivationSource source, int batchSize)
    {
        using var scope = NewDisposeScope();
        var batches = new List<Tensor>();
        while (source.NextBatch(batchSize) is { } batch)
        {
            Assert.True(batch.shape[0] <= batchSize);
            batches.Add(batch);
        }
        return (batches.Count == 0 ? empty(0, source.DIn) : cat(batches)).MoveToOuterDisposeScope();
    }

    public static void AssertExactly(Tensor expected, Tensor actual)
    {
        // A tensor wrapper that is unreachable while LibTorch still reads it (a temporary passed to the next call) can be
        // finalized by a GC from another thread mid-call; tensors created in a scope stay reachable until it ends.
        using var scope = NewDisposeScope();
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.True(expected.eq(actual).all().ToBoolean(), "tensors differ");
    }
}
