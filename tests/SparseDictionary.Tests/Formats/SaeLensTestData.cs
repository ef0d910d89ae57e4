using SparseDictionary.Formats;
using TorchSharp;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Formats;

/// <summary>Hand-made SAELens folders: cfg.json text as SAELens writes it and tiny hand-chosen weights.</summary>
internal static class SaeLensTestData
{
    // d_in = 2, d_sae = 3.
    public static readonly float[,] WEnc = { { 1, 0, -1 }, { 0, 2, 1 } };
    public static readonly float[,] WDec = { { 1, 0 }, { 0, 1 }, { 1, 1 } };
    public static readonly float[] BDec = [0.25f, -0.5f];
    public static readonly float[] BEnc = [0.5f, -1, -2];
    public static readonly float[] BGate = [0, -4, 0.5f];
    public static readonly float[] BMag = [0.5f, 1, -3];
    public static readonly float[] RMag = [0, MathF.Log(2), 0];

    /// <summary>Two inputs <c>[2, d_in]</c>: <c>[1, 2]</c> and <c>[0, 0]</c>.</summary>
    public static Tensor Inputs() => tensor(new float[,] { { 1, 2 }, { 0, 0 } });

    /// <summary>What SAELens 6.x's training runner writes (get_inference_sae_cfg_dict iterates a set, hence the key order).</summary>
    public static string V6Config(string architecture, bool applyBDecToInput = true, string normalize = "none") =>
        "{\"device\": \"cuda\", \"d_sae\": 3, \"apply_b_dec_to_input\": " + (applyBDecToInput ? "true" : "false")
        + ", \"reshape_activations\": \"none\", \"d_in\": 2, \"dtype\": \"float32\", \"normalize_activations\": \"" + normalize + "\", "
        + "\"metadata\": {\"sae_lens_version\": \"6.18.0\", \"sae_lens_training_version\": \"6.18.0\", "
        + "\"dataset_path\": \"monology/pile-uncopyrighted\", \"hook_name\": \"blocks.0.hook_resid_pre\", "
        + "\"model_name\": \"tiny-stories-1M\", \"model_class_name\": \"HookedTransformer\", \"hook_head_index\": null, "
        + "\"context_size\": 128, \"seqpos_slice\": [null], \"model_from_pretrained_kwargs\": {\"center_writing_weights\": false}, "
        + "\"prepend_bos\": true, \"exclude_special_tokens\": false, \"sequence_separator_token\": \"bos\", "
        + "\"disable_concat_sequences\": false}, \"architecture\": \"" + architecture + "\"}";

    /// <summary>A flat SAELens 5.x config (SAEConfig.to_dict of sae_lens 5).</summary>
    public const string Legacy5Config =
        """{"architecture": "standard", "d_in": 2, "d_sae": 3, "dtype": "float32", "device": "cpu", "model_name": "gpt2-small", "hook_name": "blocks.8.hook_resid_pre", "hook_layer": 8, "hook_head_index": null, "activation_fn_str": "relu", "activation_fn_kwargs": {}, "apply_b_dec_to_input": true, "finetuning_scaling_factor": false, "sae_lens_training_version": "5.10.2", "prepend_bos": true, "dataset_path": "Skylion007/openwebtext", "dataset_trust_remote_code": true, "context_size": 128, "normalize_activations": "none", "neuronpedia_id": "gpt2-small/8-res-jb", "model_from_pretrained_kwargs": {"center_writing_weights": true}, "seqpos_slice": [null]}""";

    /// <summary>An early flat config (runner config dumped whole): legacy key names, torch dtype, no architecture.</summary>
    public const string EarlyLegacyConfig =
        """{"model_name": "gpt2-small", "hook_point": "blocks.0.hook_resid_pre", "hook_point_layer": 0, "hook_point_head_index": null, "dataset_path": "Skylion007/openwebtext", "is_dataset_tokenized": false, "context_size": 128, "d_in": 2, "device": "mps", "seed": 42, "dtype": "torch.float32", "b_dec_init_method": "geometric_median", "expansion_factor": 32, "l1_coefficient": 8e-05, "lr": 0.0004, "use_ghost_grads": false, "d_sae": 3, "run_name": "24576-L1-8e-05-LR-0.0004-Tokens-3.000e+08"}""";

    public static Dictionary<string, Tensor> StandardWeights() => new()
    {
        ["W_enc"] = tensor(WEnc),
        ["b_enc"] = tensor(BEnc),
        ["W_dec"] = tensor(WDec),
        ["b_dec"] = tensor(BDec),
    };

    public static Dictionary<string, Tensor> GatedWeights() => new()
    {
        ["W_enc"] = tensor(WEnc),
        ["b_gate"] = tensor(BGate),
        ["b_mag"] = tensor(BMag),
        ["r_mag"] = tensor(RMag),
        ["W_dec"] = tensor(WDec),
        ["b_dec"] = tensor(BDec),
    };

    /// <summary>Writes <paramref name="cfgJson"/> and <paramref name="weights"/> (disposed afterwards) as a folder.</summary>
    public static string WriteFolder(string directory, string? cfgJson, Dictionary<string, Tensor>? weights)
    {
        Directory.CreateDirectory(directory);
        if (cfgJson is not null) File.WriteAllText(Path.Combine(directory, SaeLensFolder.ConfigFileName), cfgJson);
        if (weights is not null)
        {
            SafeTensors.Save(Path.Combine(directory, SaeLensFolder.WeightsFileName), weights);
            foreach (Tensor t in weights.Values) t.Dispose();
        }
        return directory;
    }

    public static double[,] ToArray2D(Tensor t)
    {
        using Tensor d = t.detach().to(ScalarType.Float64).cpu();
        double[] flat = d.data<double>().ToArray();
        var result = new double[d.shape[0], d.shape[1]];
        for (int i = 0; i < flat.Length; i++) result[i / d.shape[1], i % d.shape[1]] = flat[i];
        return result;
    }

    public static void AssertClose(double[,] expected, Tensor actual, double tolerance = 1e-6)
    {
        double[,] got = ToArray2D(actual);
        Xunit.Assert.Equal(expected.GetLength(0), got.GetLength(0));
        Xunit.Assert.Equal(expected.GetLength(1), got.GetLength(1));
        for (int i = 0; i < expected.GetLength(0); i++)
        {
            for (int j = 0; j < expected.GetLength(1); j++)
            {
                Xunit.Assert.True(Math.Abs(expected[i, j] - got[i, j]) <= tolerance,
                    $"[{i}, {j}]: expected {expected[i, j]}, got {got[i, j]}");
            }
        }
    }
}
