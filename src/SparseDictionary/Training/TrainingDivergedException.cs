namespace SparseDictionary.Training;

/// <summary>
/// Training met NaN or ±Inf: in the input activations or in a loss term. The message names the step and the tensor.
/// </summary>
public sealed class TrainingDivergedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="step">The 0-based step.</param>
    /// <param name="tensor">What held the non-finite values: <c>activations</c> or the loss term(s), such as <c>mse_loss</c>.</param>
    /// <param name="detail">What was found.</param>
    public TrainingDivergedException(int step, string tensor, string detail)
        : base($"Training diverged at step {step}: {detail}.")
    {
        Step = step;
        Tensor = tensor;
    }

    /// <summary>Gets the 0-based step.</summary>
    public int Step { get; }

    /// <summary>Gets what held the non-finite values: <c>activations</c>, or the names of the loss terms joined by commas.</summary>
    public string Tensor { get; }
}
