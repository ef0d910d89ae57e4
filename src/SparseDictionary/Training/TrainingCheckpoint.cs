using System.Security.Cryptography;
using SparseDictionary.Activations;
using SparseDictionary.Formats;
using static TorchSharp.torch;

namespace SparseDictionary.Training;

/// <summary>
/// Everything a <see cref="SaeTrainer"/> run needs to continue exactly where it stopped: the SAE's parameters and extra
/// training state, Adam's moments and step count, the trainer's step, tokens, normalisation scale, rewarm and resampling
/// history, loss-spike window, the resampling generator's state, the firing statistics, the initialisation batches not
/// yet trained on, and the activation source's state.
/// </summary>
/// <remarks>
/// <para>
/// A checkpoint is a folder of two files: <c>checkpoint.safetensors</c> (every tensor) and <c>checkpoint.json</c> (the
/// numbers, and the size and SHA-256 of the tensor file). <see cref="Save"/> writes both into a hidden temporary folder and
/// renames it over the previous checkpoint (<see cref="AtomicDirectory"/>), so a crash mid-write leaves the previous
/// checkpoint complete, at its path or, if the crash fell between the two renames, at a hidden <c>.name.*.old</c> sibling
/// that <see cref="Find"/> and <see cref="Load"/> also look at.
/// </para>
/// <para>
/// Tensor names: <c>sae/{parameter}</c>, <c>adam/exp_avg/{parameter}</c>, <c>adam/exp_avg_sq/{parameter}</c>,
/// <c>firing/tokens_since_fired</c>, <c>firing/fired_since_reset</c>, <c>generator</c>, <c>replay/{i}</c> and
/// <c>source/…</c> (the source state, <c>source/inner/…</c> for the source it wraps).
/// </para>
/// </remarks>
public sealed class TrainingCheckpoint : IDisposable
{
    /// <summary>The format version this library writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The JSON file's name inside a checkpoint folder.</summary>
    public const string StateFileName = "checkpoint.json";

    /// <summary>The tensor file's name inside a checkpoint folder.</summary>
    public const string TensorsFileName = "checkpoint.safetensors";

    private const long MaxStateFileBytes = 256L << 20;
    private readonly bool _ownsTensors;

    internal TrainingCheckpoint(bool ownsTensors) => _ownsTensors = ownsTensors;

    /// <summary>Gets the SAE's architecture (as <see cref="Autoencoders.ISparseAutoencoder.Architecture"/>).</summary>
    public required string Architecture { get; init; }

    /// <summary>Gets the SAE's input width.</summary>
    public required int DIn { get; init; }

    /// <summary>Gets the SAE's number of latents.</summary>
    public required int DSae { get; init; }

    /// <summary>Gets the run's <see cref="TrainerOptions.TotalSteps"/>.</summary>
    public required int TotalSteps { get; init; }

    /// <summary>Gets the run's <see cref="TrainerOptions.BatchSize"/>.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Gets the run's <see cref="TrainerOptions.Seed"/>.</summary>
    public required long Seed { get; init; }

    /// <summary>Gets the steps completed: the resumed run starts at this 0-based step.</summary>
    public required int Step { get; init; }

    /// <summary>Gets the tokens trained on so far.</summary>
    public required long Tokens { get; init; }

    /// <summary>Gets the source's <see cref="IActivationSource.Position"/> when the run started (for <see cref="TrainingResult.TokensSeen"/>).</summary>
    public required long StartPosition { get; init; }

    /// <summary>Gets the activation normalisation scale (not yet folded into the saved weights).</summary>
    public required double NormalizationScale { get; init; }

    /// <summary>Gets Adam's step count.</summary>
    public required long OptimizerSteps { get; init; }

    /// <summary>Gets the step at which the last resampling ran (for the learning-rate rewarm), if any.</summary>
    public required int? LastResampleStep { get; init; }

    /// <summary>Gets the batches skipped so far.</summary>
    public required int SkippedBatches { get; init; }

    /// <summary>Gets the loss spikes logged so far.</summary>
    public required int LossSpikes { get; init; }

    /// <summary>Gets the recent losses the spike detector's running median is taken over, oldest first.</summary>
    public required IReadOnlyList<double> RecentLosses { get; init; }

    /// <summary>Gets the resampling rounds so far.</summary>
    public required IReadOnlyList<ResamplingEvent> Resamplings { get; init; }

    /// <summary>Gets the training curve so far.</summary>
    public required IReadOnlyList<TrainingCurvePoint> Curve { get; init; }

    /// <summary>Gets the SAE's extra training state (<see cref="Autoencoders.ITrainingState"/>), empty when it has none.</summary>
    public required IReadOnlyDictionary<string, double> SaeState { get; init; }

    /// <summary>Gets the number of initialisation batches not yet trained on (<c>replay/0</c> … in <see cref="Tensors"/>).</summary>
    public required int ReplayBatches { get; init; }

    /// <summary>Gets the tensors by name (see the remarks), without the source's.</summary>
    public required IReadOnlyDictionary<string, Tensor> Tensors { get; init; }

    /// <summary>Gets the activation source's state, if the run had one saved.</summary>
    public required ActivationSourceState? Source { get; init; }

    /// <summary>
    /// The folder holding the checkpoint for <paramref name="folder"/>: the folder itself when it holds one, else the newest
    /// hidden previous checkpoint a crash mid-replacement left beside it, else <see langword="null"/>.
    /// </summary>
    public static string? Find(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (File.Exists(Path.Combine(full, StateFileName))) return full;
        string? parent = Path.GetDirectoryName(full);
        if (parent is null || !Directory.Exists(parent)) return null;
        return new DirectoryInfo(parent).EnumerateDirectories($".{Path.GetFileName(full)}.*.old")
            .Where(d => File.Exists(Path.Combine(d.FullName, StateFileName)))
            .OrderByDescending(d => d.LastWriteTimeUtc)
            .Select(d => d.FullName)
            .FirstOrDefault();
    }

    /// <summary>
    /// Deletes the checkpoint in <paramref name="folder"/> and any hidden previous one a crash left beside it (so a later
    /// <see cref="Find"/> cannot pick up a stale run). Nothing else is touched.
    /// </summary>
    public static void Delete(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
        string? parent = Path.GetDirectoryName(full);
        if (parent is null || !Directory.Exists(parent)) return;
        foreach (var stale in new DirectoryInfo(parent).EnumerateDirectories($".{Path.GetFileName(full)}.*.old"))
        {
            if (File.Exists(Path.Combine(stale.FullName, StateFileName))) stale.Delete(recursive: true);
        }
    }

    /// <summary>Writes the checkpoint to <paramref name="folder"/>, replacing any previous one atomically.</summary>
    /// <exception cref="IOException">Writing failed (full disk, read-only folder); the previous checkpoint is left as it was.</exception>
    public void Save(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        AtomicDirectory.Write(folder, temp =>
        {
            var tensors = new Dictionary<string, Tensor>(Tensors, StringComparer.Ordinal);
            AddSourceTensors(tensors, "source/", Source);
            string tensorsPath = Path.Combine(temp, TensorsFileName);
            SafeTensors.Save(tensorsPath, tensors);
            (long bytes, string sha256) = Checksum(tensorsPath);
            byte[] json = TrainingCheckpointJson.Write(this, bytes, sha256);
            AtomicFile.Write(Path.Combine(temp, StateFileName), stream => stream.Write(json));
        });
    }

    /// <summary>Reads the checkpoint of <paramref name="folder"/> (see <see cref="Find"/>), checking the tensor file's size and SHA-256.</summary>
    /// <exception cref="TrainingCheckpointException">There is no checkpoint, or it is incomplete, corrupted or of another version.</exception>
    public static TrainingCheckpoint Load(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string located = Find(folder) ?? throw new TrainingCheckpointException(folder, null, $"there is no checkpoint ({StateFileName}) here");
        string statePath = Path.Combine(located, StateFileName);
        long length = new FileInfo(statePath).Length;
        if (length > MaxStateFileBytes) throw new TrainingCheckpointException(statePath, null, $"the file is {length} bytes, over the limit of {MaxStateFileBytes}");
        var state = TrainingCheckpointJson.Read(statePath, File.ReadAllBytes(statePath));

        string tensorsPath = Path.Combine(located, TensorsFileName);
        if (!File.Exists(tensorsPath)) throw new TrainingCheckpointException(tensorsPath, null, "the tensor file is missing");
        (long bytes, string sha256) = Checksum(tensorsPath);
        if (bytes != state.TensorBytes || sha256 != state.TensorSha256)
        {
            throw new TrainingCheckpointException(tensorsPath, null,
                $"the tensor file is {bytes} bytes with SHA-256 {sha256}; {StateFileName} expects {state.TensorBytes} bytes with SHA-256 {state.TensorSha256}");
        }
        Dictionary<string, Tensor> tensors;
        try
        {
            tensors = SafeTensors.LoadAll(tensorsPath);
        }
        catch (SafeTensorsFormatException e)
        {
            throw new TrainingCheckpointException(tensorsPath, e.TensorName, e.Message, e);
        }
        try
        {
            ActivationSourceState? source = state.Source is null ? null : TakeSourceTensors(tensors, "source/", state.Source, tensorsPath);
            return state.Build(tensors, source);
        }
        catch
        {
            foreach (Tensor t in tensors.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>The tensor <paramref name="name"/>.</summary>
    /// <exception cref="TrainingCheckpointException">The checkpoint has no such tensor.</exception>
    public Tensor Tensor(string name) => Tensors.TryGetValue(name, out var t)
        ? t
        : throw new TrainingCheckpointException(TensorsFileName, name, "the tensor is missing");

    /// <summary>Disposes the tensors when the checkpoint owns them (it does when loaded).</summary>
    public void Dispose()
    {
        if (!_ownsTensors) return;
        foreach (Tensor t in Tensors.Values) t.Dispose();
        Source?.Dispose();
    }

    private static void AddSourceTensors(Dictionary<string, Tensor> tensors, string prefix, ActivationSourceState? state)
    {
        if (state is null) return;
        foreach (var (name, tensor) in state.Tensors) tensors.Add(prefix + name, tensor);
        AddSourceTensors(tensors, prefix + "inner/", state.Inner);
    }

    private static ActivationSourceState TakeSourceTensors(Dictionary<string, Tensor> tensors, string prefix, TrainingCheckpointJson.SourceJson json, string path)
    {
        var state = new ActivationSourceState(json.Kind);
        foreach (var (name, value) in json.Values) state.Values[name] = value;
        foreach (string name in json.Tensors)
        {
            if (!tensors.Remove(prefix + name, out Tensor? tensor)) throw new TrainingCheckpointException(path, prefix + name, "the source tensor is missing");
            state.Tensors[name] = tensor;
        }
        if (json.Inner is not null) state.Inner = TakeSourceTensors(tensors, prefix + "inner/", json.Inner, path);
        return state;
    }

    private static (long Bytes, string Sha256) Checksum(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        byte[] hash = SHA256.HashData(stream);
        return (stream.Length, Convert.ToHexStringLower(hash));
    }
}
