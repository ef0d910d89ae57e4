using System.Globalization;
using System.Text.Json;
using SparseDictionary.Activations;
using SparseDictionary.Formats;
using static TorchSharp.torch;

namespace SparseDictionary.Training;

/// <summary>
/// Reads and writes <c>checkpoint.json</c>, strictly: every field is checked for presence and type. Doubles are written in
/// their shortest round-trip form (non-finite ones as the strings <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>), so they
/// read back bit for bit.
/// </summary>
internal static class TrainingCheckpointJson
{
    /// <summary>The source state as stored in the JSON; its tensors live in the tensor file.</summary>
    internal sealed record SourceJson(string Kind, IReadOnlyDictionary<string, long> Values, IReadOnlyList<string> Tensors, SourceJson? Inner);

    /// <summary>What the JSON holds; <see cref="Build"/> joins it with the tensors.</summary>
    internal sealed record State(
        string Architecture, int DIn, int DSae, int TotalSteps, int BatchSize, long Seed, int Step, long Tokens, long StartPosition,
        double NormalizationScale, long OptimizerSteps, int? LastResampleStep, int SkippedBatches, int LossSpikes,
        IReadOnlyList<double> RecentLosses, IReadOnlyList<ResamplingEvent> Resamplings, IReadOnlyList<TrainingCurvePoint> Curve,
        IReadOnlyDictionary<string, double> SaeState, int ReplayBatches, SourceJson? Source, long TensorBytes, string TensorSha256)
    {
        public TrainingCheckpoint Build(Dictionary<string, Tensor> tensors, ActivationSourceState? source) => new(ownsTensors: true)
        {
            Architecture = Architecture, DIn = DIn, DSae = DSae, TotalSteps = TotalSteps, BatchSize = BatchSize, Seed = Seed,
            Step = Step, Tokens = Tokens, StartPosition = StartPosition, NormalizationScale = NormalizationScale,
            OptimizerSteps = OptimizerSteps, LastResampleStep = LastResampleStep, SkippedBatches = SkippedBatches,
            LossSpikes = LossSpikes, RecentLosses = RecentLosses, Resamplings = Resamplings, Curve = Curve, SaeState = SaeState,
            ReplayBatches = ReplayBatches, Tensors = tensors, Source = source,
        };
    }

    public static byte[] Write(TrainingCheckpoint c, long tensorBytes, string sha256)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("format_version", TrainingCheckpoint.CurrentFormatVersion);
            w.WriteString("architecture", c.Architecture);
            w.WriteNumber("d_in", c.DIn);
            w.WriteNumber("d_sae", c.DSae);
            w.WriteNumber("total_steps", c.TotalSteps);
            w.WriteNumber("batch_size", c.BatchSize);
            w.WriteNumber("seed", c.Seed);
            w.WriteNumber("step", c.Step);
            w.WriteNumber("tokens", c.Tokens);
            w.WriteNumber("start_position", c.StartPosition);
            Double(w, "normalization_scale", c.NormalizationScale);
            w.WriteNumber("optimizer_steps", c.OptimizerSteps);
            if (c.LastResampleStep is int last) w.WriteNumber("last_resample_step", last);
            else w.WriteNull("last_resample_step");
            w.WriteNumber("skipped_batches", c.SkippedBatches);
            w.WriteNumber("loss_spikes", c.LossSpikes);
            w.WriteStartArray("recent_losses");
            foreach (double loss in c.RecentLosses) Double(w, null, loss);
            w.WriteEndArray();
            w.WriteStartArray("resamplings");
            foreach (var r in c.Resamplings)
            {
                w.WriteStartObject();
                w.WriteNumber("step", r.Step);
                w.WriteNumber("latents", r.LatentsResampled);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("curve");
            foreach (var p in c.Curve)
            {
                w.WriteStartObject();
                w.WriteNumber("step", p.Step);
                w.WriteNumber("tokens", p.Tokens);
                Double(w, "learning_rate", p.LearningRate);
                Double(w, "sparsity_scale", p.SparsityScale);
                Double(w, "loss", p.Loss);
                w.WriteStartObject("terms");
                foreach (var (name, value) in p.Terms) Double(w, name, value);
                w.WriteEndObject();
                Double(w, "l0", p.L0);
                Double(w, "dead_fraction", p.DeadFraction);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("sae_state");
            foreach (var (name, value) in c.SaeState) Double(w, name, value);
            w.WriteEndObject();
            w.WriteNumber("replay_batches", c.ReplayBatches);
            w.WritePropertyName("source");
            WriteSource(w, c.Source);
            w.WriteNumber("tensors_bytes", tensorBytes);
            w.WriteString("tensors_sha256", sha256);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public static State Read(string path, byte[] bytes)
    {
        JsonDocument document;
        try
        {
            document = StrictJson.Parse(bytes, 32);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new TrainingCheckpointException(path, null, $"not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var f = new JsonObjectReader(document.RootElement, path, (file, field, reason) => new TrainingCheckpointException(file, field, reason), wording: Wording);
            long version = f.RequireLong("format_version");
            if (version != TrainingCheckpoint.CurrentFormatVersion)
            {
                throw new TrainingCheckpointException(path, "format_version", $"version {version} is not supported; this library reads version {TrainingCheckpoint.CurrentFormatVersion}");
            }
            var resamplings = f.RequireObjects("resamplings").Select(r => new ResamplingEvent(Int(r, "step"), Int(r, "latents"))).ToList();
            var curve = f.RequireObjects("curve").Select(p => new TrainingCurvePoint(Int(p, "step"), p.RequireLong("tokens"),
                Double(p, "learning_rate"), Double(p, "sparsity_scale"), Double(p, "loss"), DoubleMap(p, "terms"), Double(p, "l0"),
                Double(p, "dead_fraction"))).ToList();
            return new State(
                f.RequireString("architecture"), Int(f, "d_in"), Int(f, "d_sae"), Int(f, "total_steps"), Int(f, "batch_size"), f.RequireLong("seed"),
                Int(f, "step"), f.RequireLong("tokens"), f.RequireLong("start_position"), Double(f, "normalization_scale"), f.RequireLong("optimizer_steps"),
                f.Require("last_resample_step").ValueKind == JsonValueKind.Null ? null : Int(f, "last_resample_step"),
                Int(f, "skipped_batches"), Int(f, "loss_spikes"),
                f.RequireArray("recent_losses").EnumerateArray().Select((e, i) => ToDouble(e, f, $"recent_losses[{i}]")).ToList(),
                resamplings, curve, DoubleMap(f, "sae_state"), Int(f, "replay_batches"), ReadSource(f, "source"),
                f.RequireLong("tensors_bytes"), f.RequireString("tensors_sha256"));
        }
    }

    private static void WriteSource(Utf8JsonWriter w, ActivationSourceState? state)
    {
        if (state is null)
        {
            w.WriteNullValue();
            return;
        }
        w.WriteStartObject();
        w.WriteString("kind", state.Kind);
        w.WriteStartObject("values");
        foreach (var (name, value) in state.Values) w.WriteNumber(name, value);
        w.WriteEndObject();
        w.WriteStartArray("tensors");
        foreach (string name in state.Tensors.Keys) w.WriteStringValue(name);
        w.WriteEndArray();
        w.WritePropertyName("inner");
        WriteSource(w, state.Inner);
        w.WriteEndObject();
    }

    private static SourceJson? ReadSource(JsonObjectReader parent, string name)
    {
        if (parent.Require(name).ValueKind == JsonValueKind.Null) return null;
        JsonObjectReader f = parent.RequireObject(name);
        JsonObjectReader valuesObject = f.RequireObject("values");
        var values = valuesObject.Keys.ToDictionary(key => key, key => valuesObject.RequireLong(key), StringComparer.Ordinal);
        var tensors = f.RequireArray("tensors").EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.String
            ? e.GetString()!
            : throw f.Error($"tensors[{i}]", "expected a string")).ToList();
        return new SourceJson(f.RequireString("kind"), values, tensors, ReadSource(f, "inner"));
    }

    private static void Double(Utf8JsonWriter w, string? name, double value)
    {
        if (name is not null) w.WritePropertyName(name);
        if (double.IsFinite(value)) w.WriteNumberValue(value);
        else w.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
    }

    // The fields' wording: "field: expected a string."; the exception adds the full stop.
    private static readonly JsonObjectReader.Wording Wording = new("the field is missing", "the field appears more than once", (what, _) => $"expected {what}");

    private static int Int(JsonObjectReader f, string name)
    {
        long v = f.RequireLong(name);
        return v is >= int.MinValue and <= int.MaxValue ? (int)v : throw f.Error(name, "out of range");
    }

    private static double Double(JsonObjectReader f, string name) => ToDouble(f.Require(name), f, name);

    private static Dictionary<string, double> DoubleMap(JsonObjectReader parent, string name)
    {
        JsonObjectReader f = parent.RequireObject(name);
        return f.Keys.ToDictionary(key => key, key => Double(f, key), StringComparer.Ordinal);
    }

    // Non-finite values are written as the strings NaN, Infinity and -Infinity.
    private static double ToDouble(JsonElement e, JsonObjectReader f, string name) => e.ValueKind switch
    {
        JsonValueKind.Number when e.TryGetDouble(out double v) => v,
        JsonValueKind.String when e.GetString() is "NaN" or "Infinity" or "-Infinity" =>
            double.Parse(e.GetString()!, CultureInfo.InvariantCulture),
        _ => throw f.Error(name, "expected a number"),
    };
}
