namespace SparseDictionary.Llama;

/// <summary>
/// A place inside one transformer block where the forward pass can be read or changed. The values are in the order the
/// forward pass reaches them, so comparing two sites of the same layer tells which comes first.
/// </summary>
public enum HookSite
{
    /// <summary>The residual stream entering the block (<c>hook_resid_pre</c>); for layer 0, the token embeddings.</summary>
    ResidualPre = 0,

    /// <summary>The attention output, after the output projection and before it is added to the residual stream (<c>hook_attn_out</c>).</summary>
    AttentionOut = 1,

    /// <summary>The residual stream after the attention output is added (<c>hook_resid_mid</c>).</summary>
    ResidualMid = 2,

    /// <summary>The MLP output, before it is added to the residual stream (<c>hook_mlp_out</c>).</summary>
    MlpOut = 3,

    /// <summary>The residual stream leaving the block (<c>hook_resid_post</c>); equals the next block's <see cref="ResidualPre"/>.</summary>
    ResidualPost = 4,
}
