using System.Globalization;
using System.Text;
using System.Text.Json;
using SparseDictionary.Features;
using SparseDictionary.Formats;

namespace SparseDictionary.Bridges.Browser;

/// <summary>
/// Writes a <see cref="FeatureSite"/> as a static HTML site that works from <c>file://</c> with no network: <c>index.html</c>
/// (every latent, sortable and searchable), <c>latent.html#N</c> (one latent), and their data as script files in
/// <c>data/</c>: <c>index.js</c> (a few numbers and tokens per latent), <c>meta.js</c> (the site's title, hook and sizes),
/// <c>vocab.js</c> (token texts) and
/// <c>latents-NNNNN.js</c> (the full data of <see cref="FeatureBrowserOptions.LatentsPerChunk"/> latents each, so a page
/// loads one small file whatever the number of latents).
/// </summary>
public static class FeatureSiteWriter
{
    /// <summary>The index page's file name.</summary>
    public const string IndexFileName = "index.html";

    /// <summary>The latent page's file name; the latent is the URL's fragment.</summary>
    public const string LatentFileName = "latent.html";

    /// <summary>The distinct top-activating tokens and the promoted tokens the index shows (and searches) per latent.</summary>
    public const int IndexTokens = 5;

    /// <summary>Writes the site into <paramref name="folder"/>, replacing it atomically.</summary>
    /// <param name="site">What to show.</param>
    /// <param name="folder">The output folder.</param>
    /// <param name="latentsPerChunk">Latents per data file.</param>
    public static void Write(FeatureSite site, string folder, int latentsPerChunk = 64)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(latentsPerChunk);
        if (site.LogitEffects.DSae != site.Statistics.DSae)
        {
            throw new ArgumentException($"The logit table has {site.LogitEffects.DSae} latents; the statistics {site.Statistics.DSae}.", nameof(site));
        }
        AtomicDirectory.Write(folder, target =>
        {
            string data = Path.Combine(target, "data");
            Directory.CreateDirectory(data);
            File.WriteAllText(Path.Combine(target, IndexFileName), FeatureSiteAssets.IndexHtml, Encoding.UTF8);
            File.WriteAllText(Path.Combine(target, LatentFileName), FeatureSiteAssets.LatentHtml, Encoding.UTF8);
            File.WriteAllText(Path.Combine(data, "vocab.js"), "window.SDICT_VOCAB = " + JsonSerializer.Serialize(site.Vocabulary) + ";\n", Encoding.UTF8);
            File.WriteAllText(Path.Combine(data, "index.js"), IndexScript(site, latentsPerChunk), Encoding.UTF8);
            File.WriteAllText(Path.Combine(data, "meta.js"), "window.SDICT_META = {" + Meta(site, latentsPerChunk) + "};\n", Encoding.UTF8);
            for (int start = 0; start < site.Statistics.DSae; start += latentsPerChunk)
            {
                string name = string.Create(CultureInfo.InvariantCulture, $"latents-{start / latentsPerChunk:D5}.js");
                File.WriteAllText(Path.Combine(data, name), ChunkScript(site, start, Math.Min(latentsPerChunk, site.Statistics.DSae - start)), Encoding.UTF8);
            }
        });
    }

    private static string Number(double value) =>
        double.IsFinite(value) ? value.ToString("G5", CultureInfo.InvariantCulture) : "0";

    private static string Numbers(IEnumerable<double> values) => "[" + string.Join(",", values.Select(Number)) + "]";

    private static string Strings(IEnumerable<string> values) => JsonSerializer.Serialize(values.ToArray());

    private static string IndexScript(FeatureSite site, int chunk)
    {
        FeatureStatisticsResult s = site.Statistics;
        int[] latents = [.. Enumerable.Range(0, s.DSae)];
        var text = new StringBuilder();
        text.Append("window.SDICT_INDEX = {").Append(Meta(site, chunk));
        text.Append(",\n\"freq\":").Append(Numbers(latents.Select(s.Frequency)));
        text.Append(",\n\"max\":").Append(Numbers(latents.Select(i => s.FireCount(i) > 0 ? (double)s.MaxActivation(i) : 0)));
        text.Append(",\n\"act\":[").AppendJoin(",", latents.Select(i => Strings(TopTokens(site, i)))).Append(']');
        text.Append(",\n\"up\":[").AppendJoin(",", latents.Select(i => Strings(site.LogitEffects.Promoted(i).Take(IndexTokens).Select(p => site.Vocabulary[p.Token])))).Append(']');
        text.Append("};\n");
        return text.ToString();
    }

    // What a latent page needs besides its chunk: a few hundred bytes whatever the number of latents.
    private static string Meta(FeatureSite site, int chunk)
    {
        FeatureStatisticsResult s = site.Statistics;
        var text = new StringBuilder();
        text.Append("\"title\":").Append(JsonSerializer.Serialize(site.Title));
        text.Append(",\"hook\":").Append(JsonSerializer.Serialize(site.HookName));
        text.Append(",\"dSae\":").Append(s.DSae.ToString(CultureInfo.InvariantCulture));
        text.Append(",\"tokens\":").Append(s.TokenCount.ToString(CultureInfo.InvariantCulture));
        text.Append(",\"alive\":").Append(Enumerable.Range(0, s.DSae).Count(i => s.FireCount(i) > 0).ToString(CultureInfo.InvariantCulture));
        text.Append(",\"chunk\":").Append(chunk.ToString(CultureInfo.InvariantCulture));
        text.Append(",\"edges\":").Append(Numbers(s.HistogramEdges));
        return text.ToString();
    }

    // The distinct tokens at which the latent's top examples fired, best first.
    private static IEnumerable<string> TopTokens(FeatureSite site, int latent) =>
        site.Statistics.TopExamples(latent).Select(e => site.Vocabulary[e.Tokens[e.Focus]]).Distinct().Take(IndexTokens);

    private static string ChunkScript(FeatureSite site, int start, int count)
    {
        FeatureStatisticsResult s = site.Statistics;
        var text = new StringBuilder();
        text.Append("window.SDICT_CHUNK = {\"start\":").Append(start.ToString(CultureInfo.InvariantCulture)).Append(",\"latents\":[\n");
        for (int i = start; i < start + count; i++)
        {
            if (i > start) text.Append(",\n");
            ReadOnlySpan<long> histogram = s.Histogram(i);
            int first = histogram.IndexOfAnyExcept(0L);
            int last = histogram.LastIndexOfAnyExcept(0L);
            long[] bins = first < 0 ? [] : histogram[first..(last + 1)].ToArray();
            text.Append("{\"fires\":").Append(s.FireCount(i).ToString(CultureInfo.InvariantCulture));
            text.Append(",\"freq\":").Append(Number(s.Frequency(i)));
            text.Append(",\"mean\":").Append(Number(s.MeanActivation(i)));
            text.Append(",\"meanf\":").Append(Number(s.MeanActivationWhenFiring(i)));
            text.Append(",\"max\":").Append(Number(s.FireCount(i) > 0 ? s.MaxActivation(i) : 0));
            text.Append(",\"histStart\":").Append(Math.Max(first, 0).ToString(CultureInfo.InvariantCulture));
            text.Append(",\"hist\":[").AppendJoin(",", bins.Select(b => b.ToString(CultureInfo.InvariantCulture))).Append(']');
            text.Append(",\"ex\":[");
            text.AppendJoin(",", s.TopExamples(i).Select(e =>
                "[" + Number(e.Activation) + "," + e.Sequence.ToString(CultureInfo.InvariantCulture) + "," + e.Position.ToString(CultureInfo.InvariantCulture) + "," +
                e.Focus.ToString(CultureInfo.InvariantCulture) + ",[" + string.Join(",", e.Tokens.Select(t => t.ToString(CultureInfo.InvariantCulture))) + "]," +
                Numbers(e.Activations.Select(a => (double)a)) + "]"));
            text.Append("],\"up\":[").AppendJoin(",", site.LogitEffects.Promoted(i).Select(Pair));
            text.Append("],\"down\":[").AppendJoin(",", site.LogitEffects.Suppressed(i).Select(Pair)).Append("]}");
        }
        text.Append("]};\n");
        return text.ToString();
    }

    private static string Pair((int Token, float Effect) p) =>
        "[" + p.Token.ToString(CultureInfo.InvariantCulture) + "," + Number(p.Effect) + "]";
}
