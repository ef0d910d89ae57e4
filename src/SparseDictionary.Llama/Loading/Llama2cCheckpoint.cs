using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>
/// Loads a legacy llama2.c checkpoint (<c>run.c</c>'s format, export version 0): a 28-byte header, then every weight as
/// float32, each kind of tensor for all layers together, layer-major, in <c>nn.Linear</c> layout <c>[out, in]</c>.
/// </summary>
/// <remarks>
/// The file's size is checked against its header before anything is allocated. The two legacy RoPE tables are skipped:
/// the model computes its own. llama2.c rotates interleaved pairs of each head; the query and key rows are permuted at
/// load time into Hugging Face's <c>rotate_half</c> layout, so one forward pass serves both formats.
/// </remarks>
public static class Llama2cCheckpoint
{
    /// <summary>Reads the checkpoint's header and checks the file's size against it.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <returns>The configuration: ε 1e-5, θ 10000, BOS 1 and EOS 2, as <c>run.c</c> hard-codes them.</returns>
    /// <exception cref="ModelFormatException">The file is missing, its header is invalid, or its size does not match the header.</exception>
    public static LlamaConfig ReadConfig(string path)
    {
        using FileStream stream = OpenRead(path);
        return Llama2cHeader.Read(stream.Name, stream).Config;
    }

    /// <summary>Loads the checkpoint into a new model.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="dtype">The element type of the model's weights; the stored float32 weights are converted to it.</param>
    /// <param name="device">The device of the model's weights; the CPU when <see langword="null"/>.</param>
    /// <returns>The loaded model; the caller owns it.</returns>
    /// <exception cref="ModelFormatException">The file is missing, its header is invalid, or its size does not match the header.</exception>
    public static LlamaModel Load(string path, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        using FileStream stream = OpenRead(path);
        LlamaConfig config = Llama2cHeader.Read(stream.Name, stream).Config;
        var model = new LlamaModel(config, dtype, device);
        try
        {
            var reader = new Reader(stream, model.ParametersByName());
            foreach ((string section, long floats) in Llama2cHeader.Sections(config))
            {
                reader.ReadSection(section, floats, config);
            }
            return model;
        }
        catch (Exception e) when (e is IOException or EndOfStreamException)
        {
            model.Dispose();
            throw ModelFormatException.ForFile(stream.Name, $"the file could not be read: {e.Message}", e);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        try
        {
            return new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ModelFormatException.ForFile(fullPath, $"the file cannot be opened: {e.Message}", e);
        }
    }

    /// <summary>Reads the sections in file order, one layer's tensor at a time, into the model's parameters.</summary>
    private sealed class Reader(FileStream stream, IReadOnlyDictionary<string, Parameter> parameters)
    {
        public void ReadSection(string section, long floats, LlamaConfig c)
        {
            switch (section)
            {
                case "token_embedding": Copy(LlamaWeightLayout.Embedding, c.VocabSize, c.Dim); break;
                case "rms_att": PerLayer(c, "input_layernorm.weight", c.Dim); break;
                case "wq": PerLayer(c, "self_attn.q_proj.weight", c.Dim, c.Dim, permuteHeads: c.HeadCount); break;
                case "wk": PerLayer(c, "self_attn.k_proj.weight", c.KvDim, c.Dim, permuteHeads: c.KvHeadCount); break;
                case "wv": PerLayer(c, "self_attn.v_proj.weight", c.KvDim, c.Dim); break;
                case "wo": PerLayer(c, "self_attn.o_proj.weight", c.Dim, c.Dim); break;
                case "rms_ffn": PerLayer(c, "post_attention_layernorm.weight", c.Dim); break;
                case "w1": PerLayer(c, "mlp.gate_proj.weight", c.HiddenDim, c.Dim); break;
                case "w2": PerLayer(c, "mlp.down_proj.weight", c.Dim, c.HiddenDim); break;
                case "w3": PerLayer(c, "mlp.up_proj.weight", c.HiddenDim, c.Dim); break;
                case "rms_final": Copy(LlamaWeightLayout.FinalNorm, c.Dim); break;
                case "freq_cis": stream.Seek(floats * sizeof(float), SeekOrigin.Current); break;
                case "wcls": Copy(LlamaWeightLayout.OutputHead, c.VocabSize, c.Dim); break;
                default: throw new InvalidOperationException($"Unknown llama2.c section '{section}'.");
            }
        }

        private void PerLayer(LlamaConfig c, string tensor, long rows, long columns = 0, int permuteHeads = 0)
        {
            for (int layer = 0; layer < c.LayerCount; layer++)
            {
                Copy(LlamaWeightLayout.Layer(layer, tensor), rows, columns, permuteHeads);
            }
        }

        private void Copy(string name, long rows, long columns = 0, int permuteHeads = 0)
        {
            using DisposeScope scope = NewDisposeScope();
            Tensor stored = columns == 0 ? empty(rows, ScalarType.Float32) : empty(rows, columns, ScalarType.Float32);
            ReadInto(stored);
            if (permuteHeads > 0)
            {
                stored = RotaryPermutation.InterleavedToHalves(stored, permuteHeads);
            }
            LlamaWeightLayout.CopyInto(parameters[name], stored);
        }

        // Tensor.bytes is a span over the tensor's own storage, at most int.MaxValue bytes, so larger tensors go in slices.
        private void ReadInto(Tensor tensor)
        {
            const long sliceFloats = 1L << 28;
            using Tensor flat = tensor.view(-1);
            for (long start = 0; start < flat.shape[0]; start += sliceFloats)
            {
                using Tensor slice = flat.narrow(0, start, Math.Min(sliceFloats, flat.shape[0] - start));
                stream.ReadExactly(slice.bytes);
            }
        }
    }
}
