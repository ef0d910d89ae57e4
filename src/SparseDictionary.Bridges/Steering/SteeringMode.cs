namespace SparseDictionary.Bridges.Steering;

/// <summary>How <see cref="SaeSteering"/> changes a latent.</summary>
public enum SteeringMode
{
    /// <summary>Adds <c>value · W_dec[i]</c> to the activations: the latent's direction at a fixed strength, whatever it was.</summary>
    Add = 0,

    /// <summary>
    /// Sets the latent's activation to <c>value</c>: adds <c>(value − f_i(x)) · W_dec[i]</c>, where <c>f_i(x)</c> is what the SAE
    /// encodes; the reconstruction error and the other latents are left as they were.
    /// </summary>
    Clamp = 1,
}
