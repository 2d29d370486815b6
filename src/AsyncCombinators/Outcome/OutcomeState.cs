namespace AsyncCombinators.Internal;

/// <summary>How an operation ended. <c>default</c> is <see cref="Success"/>, so <c>default(Outcome)</c> is a success.</summary>
internal enum OutcomeState : byte
{
    Success = 0,
    Faulted = 1,
    Canceled = 2,
}
