using System.Buffers.Binary;
using Xunit;

namespace SparseDictionary.Llama.Tests;

/// <summary>Malformed checkpoints are reported as <see cref="ModelFormatException"/>s naming the file and the field or tensor.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TruncatedLlama2cFile_NamesTheFile()
    {
        string path = _temp.File("truncated.bin");
        byte[] bytes = File.ReadAllBytes(Fixtures.Stories260K);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);

        var error = Assert.Throws<ModelFormatException>(() => Llama2cCheckpoint.Load(path));

        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
        Assert.Contains("1056540", error.Message);
    }

    [Fact]
    public void Llama2cFileWithTrailingBytes_IsRejected()
    {
        string path = _temp.File("long.bin");
        File.WriteAllBytes(path, [.. File.ReadAllBytes(Fixtures.Stories260K), 0, 0, 0, 0]);

        var error = Assert.Throws<ModelFormatException>(() => Llama2cCheckpoint.ReadConfig(path));

        Assert.Contains("more than the 1056540", error.Message);
    }

    [Theory]
    [InlineData(0, 1 << 30, "")] // a dim of 2^30: the byte count overflows a long; nothing is allocated
    [InlineData(2, int.MaxValue, "")] // 2^31 − 1 layers: far larger than the file; nothing is allocated
    [InlineData(0, 0, "dim")]
    [InlineData(3, 3, "n_heads")] // 64 does not split into 3 heads
    [InlineData(4, 3, "n_kv_heads")] // 3 key/value heads do not divide 8 query heads
    [InlineData(5, 0, "vocab_size")]
    [InlineData(6, -5, "seq_len")]
    public void BadLlama2cHeader_NamesTheField(int index, int value, string field)
    {
        string path = _temp.File("bad.bin");
        byte[] bytes = File.ReadAllBytes(Fixtures.Stories260K);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(index * 4), value);
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<ModelFormatException>(() => Llama2cCheckpoint.Load(path));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(field == "" ? null : field, error.Field);
    }

    [Fact]
    public void TinyOrMissingLlama2cFile_IsReported()
    {
        string tiny = _temp.File("tiny.bin");
        File.WriteAllBytes(tiny, [1, 2, 3]);

        Assert.Contains("28-byte", Assert.Throws<ModelFormatException>(() => Llama2cCheckpoint.Load(tiny)).Message);
        Assert.Throws<ModelFormatException>(() => Llama2cCheckpoint.Load(_temp.File("absent.bin")));
    }

    [Theory]
    [InlineData("tokenizer.model")]
    [InlineData("tokenizer.bin")]
    public void OversizedTokenizerFile_IsRefusedBeforeItIsRead(string name)
    {
        // 256 MiB + 1 byte, sparse: no disk space is used and nothing is read.
        string path = _temp.File(name);
        using (var file = File.Create(path)) file.SetLength((256L << 20) + 1);

        var error = Assert.Throws<ModelFormatException>(() => name.EndsWith(".model", StringComparison.Ordinal)
            ? (object)SentencePieceTokenizer.Load(path)
            : Llama2cTokenizer.Load(path, 512));

        Assert.Contains(path, error.Message);
        Assert.Contains("268435457 bytes", error.Message);
    }

    [Fact]
    public void ConfigMissingHiddenSize_NamesTheFileAndKey()
    {
        string config = HuggingFaceFolders.WriteConfig(_temp.Path, c => c.Remove("hidden_size"));

        var error = Assert.Throws<ModelFormatException>(() => HuggingFaceCheckpoint.Load(_temp.Path));

        Assert.Equal(config, error.FilePath);
        Assert.Equal("hidden_size", error.Field);
        Assert.Contains(config, error.Message);
        Assert.Contains("'hidden_size'", error.Message);
    }

    [Theory]
    [InlineData("rope_scaling", """{"rope_type": "llama3", "factor": 8.0}""")]
    [InlineData("hidden_size", "\"64\"")]
    [InlineData("hidden_size", "0")]
    [InlineData("rms_norm_eps", "-1")]
    [InlineData("num_key_value_heads", "3")]
    [InlineData("num_attention_heads", "6")]
    [InlineData("tie_word_embeddings", "1")]
    [InlineData("torch_dtype", "\"int8\"")]
    [InlineData("hidden_act", "\"gelu\"")]
    [InlineData("attention_bias", "true")]
    [InlineData("head_dim", "16")]
    [InlineData("eos_token_id", "512")]
    [InlineData("model_type", "\"mistral\"")]
    public void BadConfigValue_NamesTheKey(string key, string json)
    {
        string config = HuggingFaceFolders.WriteConfig(_temp.Path, c => c[key] = HuggingFaceFolders.Json(json));

        var error = Assert.Throws<ModelFormatException>(() => HuggingFaceCheckpoint.ReadConfig(_temp.Path));

        Assert.Equal(config, error.FilePath);
        Assert.Equal(key, error.Field);
    }

    [Fact]
    public void ConfigDefaults_AreTransformers()
    {
        HuggingFaceFolders.WriteConfig(_temp.Path, c =>
        {
            foreach (string key in new[] { "num_key_value_heads", "rope_theta", "tie_word_embeddings", "bos_token_id", "eos_token_id", "torch_dtype" })
            {
                c.Remove(key);
            }
            c["rope_scaling"] = HuggingFaceFolders.Json("null");
            c["dtype"] = HuggingFaceFolders.Json("\"bfloat16\"");
        });

        LlamaConfig config = HuggingFaceCheckpoint.ReadConfig(_temp.Path);

        Assert.Equal(new LlamaConfig(64, 172, 5, 8, 8, 512, 512, 1e-5, 10000, tieWordEmbeddings: false, 1, 2, torch.ScalarType.BFloat16), config);
    }

    [Fact]
    public void ConfigThatIsNotJson_OrTooDeep_IsReported()
    {
        File.WriteAllText(_temp.File("config.json"), "{\"hidden_size\": 64,");
        Assert.Null(Assert.Throws<ModelFormatException>(() => HuggingFaceCheckpoint.ReadConfig(_temp.Path)).Field);

        File.WriteAllText(_temp.File("config.json"), "{\"a\":" + new string('[', 100) + new string(']', 100) + "}");
        Assert.Contains("not valid JSON", Assert.Throws<ModelFormatException>(() => HuggingFaceCheckpoint.ReadConfig(_temp.Path)).Message);
    }

    [Fact]
    public void ShardMissingATensor_NamesTheShardAndTensor()
    {
        const string name = "model.layers.4.mlp.up_proj.weight";
        HuggingFaceFolders.WriteSharded(_temp.Path, (shard, tensors) =>
        {
            if (shard == 2) tensors.Remove(name);
        });

        var error = Assert.Throws<ModelFormatException>(() => HuggingFaceCheckpoint.Load(_temp.Path));

        Assert.Equal(_temp.File("model-00002-of-00002.safetensors"), error.FilePath);
        Assert.Equal(name, error.TensorName);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void TensorWithWrongShape_NamesTheFileAndTensor()
    {
        const string name = "model.layers.1.self_attn.k_proj.weight";
        HuggingFaceFolders.WriteSingle(_temp.Path, tensors => tensors[name] = torch.zeros(64, 64));

        var error = Assert.Throws<ModelFormatException>(() => HuggingFaceCheckpoint.Load(_temp.Path));

        Assert.Equal(_temp.File("model.safetensors"), error.FilePath);
        Assert.Equal(name, error.TensorName);
        Assert.Contains("expected shape [32, 64], found [64, 64]", error.Message);
    }

    [Theory]
    [InlineData("model.layers.5.mlp.up_proj.weight")]
    [InlineData("model.layers.0.self_attn.q_proj.bias")]
    public void UnexpectedTensor_IsRejected(string name)
    {
        HuggingFaceFolders.WriteSingle(_temp.Path, tensors => tensors[name] = torch.zeros(4));

        var error = Assert.Throws<ModelFormatException>(() => HuggingFaceCheckpoint.Load(_temp.Path));

        Assert.Equal(name, error.TensorName);
        Assert.Contains("unexpected", error.Message);
    }

    [Fact]
    public void IntegerTensor_IsRejected()
    {
        const string name = "model.norm.weight";
        HuggingFaceFolders.WriteSingle(_temp.Path, tensors => tensors[name] = torch.ones(64, torch.ScalarType.Int32));

        Assert.Equal(name, Assert.Throws<ModelFormatException>(() => HuggingFaceCheckpoint.Load(_temp.Path)).TensorName);
    }

    [Fact]
    public void MissingWeights_OrConfig_AreReported()
    {
        Assert.Equal(_temp.File("config.json"), Assert.Throws<ModelFormatException>(() => HuggingFaceCheckpoint.Load(_temp.Path)).FilePath);

        File.Copy(Path.Combine(Fixtures.Stories260KHf, "config.json"), _temp.File("config.json"));
        Assert.Contains("neither", Assert.Throws<ModelFormatException>(() => HuggingFaceCheckpoint.Load(_temp.Path)).Message);
    }

    [Fact]
    public void IndexNamingAFileOutsideTheFolder_IsRejected()
    {
        HuggingFaceFolders.WriteSharded(_temp.Path, editIndex: map => map["model.norm.weight"] = "../model.safetensors");

        var error = Assert.Throws<ModelFormatException>(() => HuggingFaceCheckpoint.Load(_temp.Path));

        Assert.Equal(_temp.File("model.safetensors.index.json"), error.FilePath);
        Assert.Equal("weight_map.model.norm.weight", error.Field);
    }

    [Fact]
    public void IndexListingATensorInTheWrongShard_IsRejected()
    {
        const string name = "model.norm.weight";
        HuggingFaceFolders.WriteSharded(_temp.Path, editIndex: map => map[name] = "model-00001-of-00002.safetensors");

        var error = Assert.Throws<ModelFormatException>(() => HuggingFaceCheckpoint.Load(_temp.Path));

        Assert.Equal(name, error.TensorName);
    }

    [Fact]
    public void CorruptShard_IsReportedAsAModelFormatError()
    {
        HuggingFaceFolders.WriteSharded(_temp.Path);
        File.WriteAllBytes(_temp.File("model-00002-of-00002.safetensors"), [1, 2, 3]);

        var error = Assert.Throws<ModelFormatException>(() => HuggingFaceCheckpoint.Load(_temp.Path));

        Assert.Equal(_temp.File("model-00002-of-00002.safetensors"), error.FilePath);
    }

    [Fact]
    public void Tokenizer_WithWrongVocabularySize_IsRejected()
    {
        Assert.Contains("holds 512 tokens", Assert.Throws<ModelFormatException>(() => Llama2cTokenizer.Load(Fixtures.Tok512, 513)).Message);
        Assert.Contains("follow the 511 tokens", Assert.Throws<ModelFormatException>(() => Llama2cTokenizer.Load(Fixtures.Tok512, 511)).Message);

        string truncated = _temp.File("tok.bin");
        File.WriteAllBytes(truncated, File.ReadAllBytes(Fixtures.Tok512)[..3000]);
        Assert.Equal(truncated, Assert.Throws<ModelFormatException>(() => Llama2cTokenizer.Load(truncated, 512)).FilePath);
    }

    [Fact]
    public void ConfigConstructor_ValidatesLikeTheReaders()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LlamaConfig(0, 1, 1, 1, 1, 10, 10));
        Assert.Throws<ArgumentException>(() => new LlamaConfig(64, 172, 1, 8, 3, 512, 10));
        Assert.Throws<ArgumentException>(() => new LlamaConfig(6, 172, 1, 2, 2, 512, 10)); // head width 3 is odd
        Assert.Throws<ArgumentOutOfRangeException>(() => new LlamaConfig(64, 172, 1, 8, 8, 512, 10, rmsNormEps: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LlamaConfig(64, 172, 1, 8, 8, 512, 10, bosTokenId: 512));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LlamaModel(new LlamaConfig(64, 172, 1, 8, 8, 512, 10), torch.ScalarType.Int32));
    }
}
