using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SparseDictionary.Llama;

/// <summary>
/// One hook site of one layer, such as the residual stream after block 3. Its string form is the TransformerLens / SAELens
/// hook name, such as <c>blocks.3.hook_resid_post</c>.
/// </summary>
/// <remarks>
/// Points order by layer, then by <see cref="HookSite"/>: the order a forward pass reaches them. A point does not know
/// the model's depth; a forward pass rejects layers the model does not have.
/// </remarks>
public readonly record struct HookPoint : IComparable<HookPoint>, IParsable<HookPoint>
{
    private const string BlockPrefix = "blocks.";

    private static readonly (HookSite Site, string Suffix)[] Suffixes =
    [
        (HookSite.ResidualPre, "hook_resid_pre"),
        (HookSite.AttentionOut, "hook_attn_out"),
        (HookSite.ResidualMid, "hook_resid_mid"),
        (HookSite.MlpOut, "hook_mlp_out"),
        (HookSite.ResidualPost, "hook_resid_post"),
    ];

    /// <summary>Creates a hook point.</summary>
    /// <param name="layer">The zero-based block index.</param>
    /// <param name="site">The site inside the block.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is negative or <paramref name="site"/> is not a defined site.</exception>
    public HookPoint(int layer, HookSite site)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        if (!Enum.IsDefined(site))
        {
            throw new ArgumentOutOfRangeException(nameof(site), site, "Unknown hook site.");
        }
        Layer = layer;
        Site = site;
    }

    /// <summary>Gets the zero-based block index.</summary>
    public int Layer { get; }

    /// <summary>Gets the site inside the block.</summary>
    public HookSite Site { get; }

    /// <summary>Gets the TransformerLens / SAELens name of the point, such as <c>blocks.3.hook_resid_post</c>.</summary>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"{BlockPrefix}{Layer}.{SuffixOf(Site)}");

    /// <summary>Parses a TransformerLens / SAELens hook name such as <c>blocks.3.hook_resid_post</c>.</summary>
    /// <param name="s">The hook name; it is case-sensitive and may not have surrounding spaces.</param>
    /// <param name="provider">Ignored: hook names are culture-invariant.</param>
    /// <exception cref="FormatException"><paramref name="s"/> is not a hook name of a supported site.</exception>
    public static HookPoint Parse(string s, IFormatProvider? provider = null)
    {
        ArgumentNullException.ThrowIfNull(s);
        return TryParse(s, provider, out HookPoint point)
            ? point
            : throw new FormatException(
                $"'{s}' is not a supported hook name; expected blocks.<layer>.<{string.Join('|', Suffixes.Select(x => x.Suffix))}>.");
    }

    /// <summary>Tries to parse a TransformerLens / SAELens hook name such as <c>blocks.3.hook_resid_post</c>.</summary>
    /// <param name="s">The hook name.</param>
    /// <param name="provider">Ignored: hook names are culture-invariant.</param>
    /// <param name="result">The parsed point, or <see langword="default"/> when parsing failed.</param>
    /// <returns>Whether <paramref name="s"/> is a hook name of a supported site.</returns>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out HookPoint result)
    {
        result = default;
        if (s is null || !s.StartsWith(BlockPrefix, StringComparison.Ordinal))
        {
            return false;
        }
        ReadOnlySpan<char> rest = s.AsSpan(BlockPrefix.Length);
        int dot = rest.IndexOf('.');
        if (dot <= 0 || !IsCanonicalLayer(rest[..dot], out int layer))
        {
            return false;
        }
        ReadOnlySpan<char> suffix = rest[(dot + 1)..];
        foreach ((HookSite site, string name) in Suffixes)
        {
            if (suffix.SequenceEqual(name))
            {
                result = new HookPoint(layer, site);
                return true;
            }
        }
        return false;
    }

    /// <inheritdoc cref="TryParse(string?, IFormatProvider?, out HookPoint)" />
    public static bool TryParse([NotNullWhen(true)] string? s, out HookPoint result) => TryParse(s, null, out result);

    /// <summary>Compares by layer, then by site: the order a forward pass reaches the points.</summary>
    /// <param name="other">The point to compare with.</param>
    public int CompareTo(HookPoint other)
    {
        int byLayer = Layer.CompareTo(other.Layer);
        return byLayer != 0 ? byLayer : Site.CompareTo(other.Site);
    }

    /// <summary>Returns <see cref="Name"/>.</summary>
    public override string ToString() => Name;

    /// <summary>Returns whether <paramref name="left"/> comes before <paramref name="right"/> in a forward pass.</summary>
    public static bool operator <(HookPoint left, HookPoint right) => left.CompareTo(right) < 0;

    /// <summary>Returns whether <paramref name="left"/> comes after <paramref name="right"/> in a forward pass.</summary>
    public static bool operator >(HookPoint left, HookPoint right) => left.CompareTo(right) > 0;

    /// <summary>Returns whether <paramref name="left"/> comes before <paramref name="right"/> or is the same point.</summary>
    public static bool operator <=(HookPoint left, HookPoint right) => left.CompareTo(right) <= 0;

    /// <summary>Returns whether <paramref name="left"/> comes after <paramref name="right"/> or is the same point.</summary>
    public static bool operator >=(HookPoint left, HookPoint right) => left.CompareTo(right) >= 0;

    private static string SuffixOf(HookSite site) => Array.Find(Suffixes, x => x.Site == site).Suffix;

    // One spelling per layer ("3", not "03" or "+3"), so a name round-trips through Parse and Name unchanged.
    private static bool IsCanonicalLayer(ReadOnlySpan<char> digits, out int layer)
    {
        layer = 0;
        if (digits.Length > 1 && digits[0] == '0')
        {
            return false;
        }
        foreach (char c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out layer);
    }
}
