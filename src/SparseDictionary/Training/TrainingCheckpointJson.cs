using System.Globalization;
using System.Text.Json;
using SparseDictionary.Activations;
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
            document = Formats.StrictJson.Parse(bytes, 32);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new TrainingCheckpointException(path, null, $"not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var f = new Fields(document.RootElement, path, "");
            long version = f.Long("format_version");
            if (version != TrainingCheckpoint.CurrentFormatVersion)
            {
                throw new TrainingCheckpointException(path, "format_version", $"version {version} is not supported; this library reads version {TrainingCheckpoint.CurrentFormatVersion}");
            }
            var resamplings = f.Array("resamplings").Select((e, i) =>
            {
                var r = new Fields(e, path, $"resamplings[{i}].");
                return new ResamplingEvent(r.Int("step"), r.Int("latents"));
            }).ToList();
            var curve = f.Array("curve").Select((e, i) =>
            {
                var p = new Fields(e, path, $"curve[{i}].");
                return new TrainingCurvePoint(p.Int("step"), p.Long("tokens"), p.Double("learning_rate"), p.Double("sparsity_scale"),
                    p.Double("loss"), p.DoubleMap("terms"), p.Double("l0"), p.Double("dead_fraction"));
            }).ToList();
            return new State(
                f.String("architecture"), f.Int("d_in"), f.Int("d_sae"), f.Int("total_steps"), f.Int("batch_size"), f.Long("seed"),
                f.Int("step"), f.Long("tokens"), f.Long("start_position"), f.Double("normalization_scale"), f.Long("optimizer_steps"),
                f.OptionalInt("last_resample_step"), f.Int("skipped_batches"), f.Int("loss_spikes"),
                f.Array("recent_losses").Select((e, i) => Fields.ToDouble(e, path, $"recent_losses[{i}]")).ToList(),
                resamplings, curve, f.DoubleMap("sae_state"), f.Int("replay_batches"), ReadSource(f, "source"),
                f.Long("tensors_bytes"), f.String("tensors_sha256"));
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

    private static SourceJson? ReadSource(Fields parent, string name)
    {
        JsonElement element = parent.Get(name);
        if (element.ValueKind == JsonValueKind.Null) return null;
        var f = parent.Child(element, name);
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        var valuesElement = f.Object("values");
        foreach (var property in valuesElement.EnumerateObject())
        {
            values[property.Name] = f.Child(valuesElement, "values").Long(property.Name);
        }
        var tensors = f.Array("tensors").Select((e, i) => e.ValueKind == JsonValueKind.String
            ? e.GetString()!
            : throw f.Error($"tensors[{i}]", "expected a string")).ToList();
        return new SourceJson(f.String("kind"), values, tensors, ReadSource(f, "inner"));
    }

    private static void Double(Utf8JsonWriter w, string? name, double value)
    {
        if (name is not null) w.WritePropertyName(name);
        if (double.IsFinite(value)) w.WriteNumberValue(value);
        else w.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Typed, strict access to one JSON object's fields, naming the file and the field path in every error.</summary>
    private readonly struct Fields(JsonElement element, string path, string prefix)
    {
        public TrainingCheckpointException Error(string field, string reason) => new(path, prefix + field, reason);

        public JsonElement Get(string name)
        {
            if (element.ValueKind != JsonValueKind.Object) throw new TrainingCheckpointException(path, prefix.TrimEnd('.'), "expected an object");
            return element.TryGetProperty(name, out var value) ? value : throw Error(name, "the field is missing");
        }

        public Fields Child(JsonElement child, string name)
        {
            if (child.ValueKind != JsonValueKind.Object) throw Error(name, "expected an object");
            return new Fields(child, path, prefix + name + ".");
        }

        public long Long(string name)
        {
            var e = Get(name);
            return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v) ? v : throw Error(name, "expected an integer");
        }

        public int Int(string name)
        {
            long v = Long(name);
            return v is >= int.MinValue and <= int.MaxValue ? (int)v : throw Error(name, "out of range");
        }

        public int? OptionalInt(string name) => Get(name).ValueKind == JsonValueKind.Null ? null : Int(name);

        public string String(string name)
        {
            var e = Get(name);
            return e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Error(name, "expected a string");
        }

        public double Double(string name) => ToDouble(Get(name), path, prefix + name);

        public JsonElement Object(string name)
        {
            var e = Get(name);
            return e.ValueKind == JsonValueKind.Object ? e : throw Error(name, "expected an object");
        }

        public IEnumerable<JsonElement> Array(string name)
        {
            var e = Get(name);
            return e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().ToList() : throw Error(name, "expected an array");
        }

        public IReadOnlyDictionary<string, double> DoubleMap(string name)
        {
            var map = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var property in Object(name).EnumerateObject())
            {
                map[property.Name] = ToDouble(property.Value, path, $"{prefix}{name}.{property.Name}");
            }
            return map;
        }

        public static double ToDouble(JsonElement e, string path, string field) => e.ValueKind switch
        {
            JsonValueKind.Number when e.TryGetDouble(out double v) => v,
            JsonValueKind.String when e.GetString() is "NaN" or "Infinity" or "-Infinity" =>
                double.Parse(e.GetString()!, CultureInfo.InvariantCulture),
            _ => throw new TrainingCheckpointException(path, field, "expected a number"),
        };
    }
}
