namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>How a call's task ended, in terms a model can predict.</summary>
public abstract record Ending
{
    /// <summary>Reads how <paramref name="task"/> ended; <paramref name="value"/> turns a successful result into comparable text.</summary>
    public static Ending Of(Task task, Func<Task, string> value)
    {
        if (!task.IsCompleted)
        {
            return new PendingEnding();
        }

        if (task.IsCanceled)
        {
            return new CanceledEnding();
        }

        if (task.IsFaulted)
        {
            return new FaultEnding(task.Exception!.InnerException!);
        }

        return new ValueEnding(value(task));
    }

    /// <summary>Whether <paramref name="actual"/> matches this prediction.</summary>
    public abstract bool Matches(Ending actual);
}

/// <summary>Completed successfully with a value rendered as text.</summary>
public sealed record ValueEnding(string Value) : Ending
{
    public override bool Matches(Ending actual) => actual is ValueEnding v && v.Value == Value;
}

/// <summary>Faulted with exactly this exception object.</summary>
public sealed record FaultEnding(Exception Exception) : Ending
{
    public override bool Matches(Ending actual) => actual is FaultEnding f && ReferenceEquals(f.Exception, Exception);

    public override string ToString() => $"Fault({Exception.GetType().Name}: {Exception.Message})";
}

/// <summary>Faulted with an exception of this type (the library creates it).</summary>
public sealed record FaultTypeEnding(Type Type, Func<Exception, bool>? Check = null) : Ending
{
    public override bool Matches(Ending actual) =>
        actual is FaultEnding f && f.Exception.GetType() == Type && (Check is null || Check(f.Exception));

    public override string ToString() => $"Fault({Type.Name})";
}

/// <summary>Ended canceled (awaiting it throws OperationCanceledException).</summary>
public sealed record CanceledEnding : Ending
{
    public override bool Matches(Ending actual) => actual is CanceledEnding;
}

/// <summary>Has not completed.</summary>
public sealed record PendingEnding : Ending
{
    public override bool Matches(Ending actual) => actual is PendingEnding;
}

/// <summary>Checks an ending against the endings a model accepts.</summary>
public static class Endings
{
    public static void Require(Ending actual, IReadOnlyCollection<Ending> accepted, object scenario)
    {
        if (!accepted.Any(e => e.Matches(actual)))
        {
            throw new ModelDivergenceException(
                $"ended {Describe(actual)}, the model accepts {string.Join(" or ", accepted.Select(Describe))}. Scenario: {scenario}");
        }
    }

    private static string Describe(Ending e) => e switch
    {
        FaultEnding f => $"Fault({f.Exception.GetType().Name}: {f.Exception.Message})",
        _ => e.ToString(),
    };
}
