using System.IO.Compression;
using System.Text;
using SparseDictionary.Autoencoders;
using SparseDictionary.Formats;
using SparseDictionary.Tests.Autoencoders;
using Xunit;
using static SparseDictionary.Tests.Formats.SaeLensTestData;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Formats;

/// <summary>
/// dictionary_learning <c>ae.pt</c> checkpoints (<c>tests/fixtures/dictionary_learning</c>, written in torch.save's format by
/// <c>make_fixtures.py</c>) hold the weights of <see cref="SaeLensTestData"/> (W_enc = [[1, 0, −1], [0, 2, 1]], b_enc = (0.5,
/// −1, −2), W_dec rows (1, 0), (0, 1), (1, 1), b_dec = (0.25, −0.5)), stored each class's way; the expected outputs on
/// x = [[1, 2], [0, 0]] are worked out by hand.
/// </summary>
public sealed class DictionaryLearningFolderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    internal static string Fixture(string name)
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SparseDictionary.sln")))
            {
                return Path.Combine(dir.FullName, "tests", "fixtures", "dictionary_learning", name);
            }
        }
        throw new DirectoryNotFoundException("No directory above the test binaries holds SparseDictionary.sln.");
    }

    [Fact]
    public void AutoEncoder_LoadsAsStandard_EvenWithATransposedDecoderStorage()
    {
        // decoder.weight [d, F] is stored as a [F, d] buffer viewed with stride (1, 2).
        using ISparseAutoencoder sae = DictionaryLearningFolder.Load(Fixture("standard"));
        using var scope = NewDisposeScope();
        Assert.IsType<StandardSae>(sae);
        Assert.Equal((2, 3, ScalarType.Float32), (sae.DIn, sae.DSae, sae.DType));
        AssertClose(new double[,] { { 1, 0 }, { 0, 1 }, { 1, 1 } }, sae.DecoderWeight);
        var forward = sae.Forward(Inputs());
        // x − b_dec = (0.75, 2.5), (−0.25, 0.5); pre = (1.25, 4, −0.25), (0.25, 0, −1.25).
        AssertClose(new double[,] { { 1.25, 4, 0 }, { 0.25, 0, 0 } }, forward.Features);
        // x̂ = (1.25, 4) + b_dec = (1.5, 3.5); (0.25, 0) + b_dec = (0.5, −0.5).
        AssertClose(new double[,] { { 1.5, 3.5 }, { 0.5, -0.5 } }, forward.Reconstruction);
    }

    [Fact]
    public void GatedAutoEncoder_FromOneSharedFloat64Storage()
    {
        using ISparseAutoencoder sae = DictionaryLearningFolder.Load(Path.Combine(Fixture("gated"), "ae.pt"));
        using var scope = NewDisposeScope();
        Assert.IsType<GatedSae>(sae);
        Assert.Equal(ScalarType.Float64, sae.DType);
        var forward = sae.Forward(Inputs().to(ScalarType.Float64));
        // (x − b_dec)·W_enc = (0.75, 5, 1.75), (−0.25, 1, 0.75); π_gate (+ (0, −4, 0.5)) = (0.75, 1, 2.25), (−0.25, −3, 1.25);
        // π_mag (× exp(r_mag) = (1, 2, 1), + (0.5, 1, −3)) = (1.25, 11, −1.25), (0.25, 3, −2.25).
        AssertClose(new double[,] { { 1.25, 11, 0 }, { 0, 0, 0 } }, forward.Features, 1e-12);
        AssertClose(new double[,] { { 1.5, 10.5 }, { 0.25, -0.5 } }, forward.Reconstruction, 1e-12);
    }

    [Fact]
    public void AutoEncoderTopK_LoadsAsTopKWithItsK()
    {
        using ISparseAutoencoder sae = DictionaryLearningFolder.Load(Fixture("topk"), dtype: ScalarType.Float64);
        using var scope = NewDisposeScope();
        Assert.Equal(1, Assert.IsType<TopKSae>(sae).K);
        Assert.Equal(ScalarType.Float64, sae.DType);
        var forward = sae.Forward(Inputs().to(ScalarType.Float64));
        // k = 1: pre (1.25, 4, −0.25) keeps 4; (0.25, 0, −1.25) keeps 0.25.
        AssertClose(new double[,] { { 0, 4, 0 }, { 0.25, 0, 0 } }, forward.Features);
        AssertClose(new double[,] { { 0.25, 3.5 }, { 0.5, -0.5 } }, forward.Reconstruction);
    }

    [Fact]
    public void BatchTopKSae_NeedsItsConfig_AndInfersWithTheStoredThreshold()
    {
        string dir = CopyFixture("topk");
        File.WriteAllText(Path.Combine(dir, "config.json"), """{"trainer": {"dict_class": "BatchTopKSAE", "k": 1, "threshold_beta": 0.999}, "buffer": {"d_submodule": 2}}""");
        using ISparseAutoencoder sae = DictionaryLearningFolder.Load(dir);
        using var scope = NewDisposeScope();
        var batchTopK = Assert.IsType<BatchTopKSae>(sae);
        Assert.Equal(0.75, batchTopK.Threshold, 12);
        // θ = 0.75: (1.25, 4, −0.25) → (1.25, 4, 0); (0.25, 0, −1.25) → nothing.
        AssertClose(new double[,] { { 1.25, 4, 0 }, { 0, 0, 0 } }, sae.Encode(Inputs()));
    }

    [Fact]
    public void JumpReluAutoEncoder_FoldsItsUnshiftedInputIntoTheEncoderBias()
    {
        using ISparseAutoencoder sae = DictionaryLearningFolder.Load(Fixture("jumprelu"));
        using var scope = NewDisposeScope();
        var jumpRelu = Assert.IsType<JumpReluSae>(sae);
        TensorAssert.Close(new[] { 1, 0.5, 0.001 }, jumpRelu.Threshold(), 1e-6);
        using var _ = no_grad();
        var forward = sae.Forward(Inputs());
        // Its encoder uses x, not x − b_dec: pre = x·W_enc + b_enc = (1.5, 3, −1), (0.5, −1, −2); θ = (1, 0.5, 0.001).
        AssertClose(new double[,] { { 1.5, 3, 0 }, { 0, 0, 0 } }, forward.Features, 1e-5);
        AssertClose(new double[,] { { 1.75, 2.5 }, { 0.25, -0.5 } }, forward.Reconstruction, 1e-5);
        AssertClose(new double[,] { { 1.5, 3, -1 }, { 0.5, -1, -2 } }, forward.PreActivations, 1e-5);
    }

    [Fact]
    public void BackupCheckpointLoadsFromItsAeEntry()
    {
        // {"step": 7, "ae": <state dict>}: the standard fixture's pickle wrapped in an outer dict, same records.
        string dir = _temp.File("backup");
        Directory.CreateDirectory(dir);
        Rewrite(Path.Combine(Fixture("standard"), "ae.pt"), Path.Combine(dir, "ae.pt"), (name, bytes) =>
        {
            if (!name.EndsWith("data.pkl", StringComparison.Ordinal)) return bytes;
            // PROTO 2, EMPTY_DICT, MARK, 'step', 7, 'ae', <inner pickle without its PROTO and STOP>, SETITEMS, STOP.
            // The inner memo indices stay valid: nothing is memoised before them.
            var outer = new List<byte> { 0x80, 2, (byte)'}', (byte)'(' };
            outer.AddRange(Unicode("step"));
            outer.AddRange(new byte[] { (byte)'K', 7 });
            outer.AddRange(Unicode("ae"));
            outer.AddRange(bytes[2..^1]);
            outer.AddRange(new byte[] { (byte)'u', (byte)'.' });
            return outer.ToArray();
        });
        using ISparseAutoencoder sae = DictionaryLearningFolder.Load(dir);
        Assert.IsType<StandardSae>(sae);
        AssertClose(new double[,] { { 1, 0 }, { 0, 1 }, { 1, 1 } }, sae.DecoderWeight);
    }

    [Fact]
    public void ConfigNamingAnotherClassOrAnUnsupportedOne()
    {
        string dir = CopyFixture("standard");
        string config = Path.Combine(dir, "config.json");
        File.WriteAllText(config, """{"trainer": {"dict_class": "GatedAutoEncoder"}}""");
        var error = Assert.Throws<SaeFormatException>(() => DictionaryLearningFolder.Load(dir));
        Assert.Equal(("trainer.dict_class", config), (error.Key, error.FilePath));

        File.WriteAllText(config, """{"trainer": {"dict_class": "MatryoshkaBatchTopKSAE"}}""");
        Assert.Contains("MatryoshkaBatchTopKSAE", Assert.Throws<SaeFormatException>(() => DictionaryLearningFolder.Load(dir)).Message);

        File.WriteAllText(config, """{"trainer": []}""");
        Assert.Equal("trainer", Assert.Throws<SaeFormatException>(() => DictionaryLearningFolder.Load(dir)).Key);
    }

    [Fact]
    public void PickleCallingAnythingButTensorRebuildsIsRefused()
    {
        string path = _temp.File("evil.pt");
        Rewrite(Path.Combine(Fixture("standard"), "ae.pt"), path, (name, bytes) =>
            name.EndsWith("data.pkl", StringComparison.Ordinal)
                ? [0x80, 2, .. Encoding.ASCII.GetBytes("cposix\nsystem\n"), .. Unicode("echo"), 0x85, (byte)'R', (byte)'.']
                : bytes);
        var error = Assert.Throws<SaeFormatException>(() => DictionaryLearningFolder.Load(path));
        Assert.Contains("posix.system", error.Message);
        Assert.Equal(path, error.FilePath);
    }

    [Fact]
    public void BrokenArchives()
    {
        string fixture = Path.Combine(Fixture("standard"), "ae.pt");

        string notZip = _temp.File("legacy.pt");
        File.WriteAllBytes(notZip, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
        Assert.Contains("zip", Assert.Throws<SaeFormatException>(() => DictionaryLearningFolder.Load(notZip)).Message);

        string missingStorage = _temp.File("missing.pt");
        Rewrite(fixture, missingStorage, (name, bytes) => name == "ae/data/2" ? null : bytes);
        Assert.Contains("ae/data/2", Assert.Throws<SaeFormatException>(() => DictionaryLearningFolder.Load(missingStorage)).Message);

        string shortStorage = _temp.File("short.pt");
        Rewrite(fixture, shortStorage, (name, bytes) => name == "ae/data/1" ? bytes[..^4] : bytes);
        Assert.Contains("ae/data/1", Assert.Throws<SaeFormatException>(() => DictionaryLearningFolder.Load(shortStorage)).Message);

        string truncated = _temp.File("truncated.pt");
        Rewrite(fixture, truncated, (name, bytes) => name.EndsWith("data.pkl", StringComparison.Ordinal) ? bytes[..(bytes.Length / 2)] : bytes);
        Assert.Contains("truncated", Assert.Throws<SaeFormatException>(() => DictionaryLearningFolder.Load(truncated)).Message);

        string bigEndian = _temp.File("big.pt");
        Rewrite(fixture, bigEndian, (name, bytes) => name == "ae/byteorder" ? Encoding.ASCII.GetBytes("big") : bytes);
        Assert.Contains("little", Assert.Throws<SaeFormatException>(() => DictionaryLearningFolder.Load(bigEndian)).Message);

        string nothing = _temp.File("nowhere");
        Directory.CreateDirectory(nothing);
        Assert.Equal(Path.Combine(nothing, "ae.pt"), Assert.Throws<SaeFormatException>(() => DictionaryLearningFolder.Load(nothing)).FilePath);
    }

    [Fact]
    public void StateDictOfAnotherShape()
    {
        // The JumpReLU fixture's storages with the standard fixture's keys would need a [3, 2] encoder.weight; renaming
        // W_enc [2, 3] to a state dict that is no known class is refused naming what it holds.
        string path = _temp.File("renamed.pt");
        Rewrite(Path.Combine(Fixture("jumprelu"), "ae.pt"), path, (name, bytes) =>
            name.EndsWith("data.pkl", StringComparison.Ordinal) ? Replace(bytes, "b_enc", "b_xyz") : bytes);
        var error = Assert.Throws<SaeFormatException>(() => DictionaryLearningFolder.Load(path));
        Assert.Contains("b_xyz", error.Message);
    }

    private string CopyFixture(string name)
    {
        string dir = _temp.File(name);
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(Fixture(name), "ae.pt"), Path.Combine(dir, "ae.pt"));
        return dir;
    }

    // Copies a zip archive entry by entry; the map returns an entry's new bytes, or null to drop it.
    internal static void Rewrite(string source, string target, Func<string, byte[], byte[]?> map)
    {
        using var input = ZipFile.OpenRead(source);
        using var output = ZipFile.Open(target, ZipArchiveMode.Create);
        foreach (var entry in input.Entries)
        {
            using var stream = entry.Open();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            byte[]? bytes = map(entry.FullName, buffer.ToArray());
            if (bytes is null) continue;
            using var written = output.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
            written.Write(bytes);
        }
    }

    private static byte[] Unicode(string s)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(s);
        return [(byte)'X', (byte)utf8.Length, 0, 0, 0, .. utf8];
    }

    private static byte[] Replace(byte[] bytes, string from, string to)
    {
        string text = Encoding.Latin1.GetString(bytes);
        Assert.Contains(from, text);
        return Encoding.Latin1.GetBytes(text.Replace(from, to, StringComparison.Ordinal));
    }
}

/// <summary>Mutated pickles: every outcome is a loaded SAE or a <see cref="SaeFormatException"/>, nothing else.</summary>
public sealed class TorchPickleFuzzTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void MutatedPicklesFailCleanly()
    {
        string fixture = Path.Combine(DictionaryLearningFolderTests.Fixture("jumprelu"), "ae.pt");
        var random = new Random(12345);
        int loaded = 0, rejected = 0;
        for (int i = 0; i < 300; i++)
        {
            string path = _temp.File($"m{i}.pt");
            DictionaryLearningFolderTests.Rewrite(fixture, path, (name, bytes) =>
            {
                if (!name.EndsWith("data.pkl", StringComparison.Ordinal)) return bytes;
                byte[] mutated = (byte[])bytes.Clone();
                int edits = random.Next(1, 4);
                for (int e = 0; e < edits; e++) mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                return random.Next(10) == 0 ? mutated[..random.Next(mutated.Length)] : mutated;
            });
            try
            {
                using var sae = DictionaryLearningFolder.Load(path);
                loaded++;
            }
            catch (SaeFormatException)
            {
                rejected++;
            }
            File.Delete(path);
        }
        Assert.Equal(300, loaded + rejected);
        Assert.True(rejected > 150, $"only {rejected} of 300 mutations were rejected");
    }
}
