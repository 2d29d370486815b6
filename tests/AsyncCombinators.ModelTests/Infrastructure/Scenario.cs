using System.Text;
using CsCheck;

namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>How a generated input or operation ends.</summary>
public enum InputKind
{
    Value,
    Fault,
    Cancel,

    /// <summary>A cold operation that throws before returning a task (a hot input never has this kind).</summary>
    Throw,
    Never,
}

/// <summary>How the caller's token behaves.</summary>
public enum TokenMode
{
    /// <summary>The call is made without a token.</summary>
    None,

    /// <summary>A token that is never cancelled.</summary>
    Live,

    /// <summary>A token cancelled before the call.</summary>
    PreCanceled,

    /// <summary>A token cancelled at a step of the timeline.</summary>
    At,
}

/// <summary>The caller's token: its mode and, for <see cref="TokenMode.At"/>, when it is cancelled.</summary>
public readonly record struct TokenPlan(TokenMode Mode, int Step, int Rank)
{
    public bool Passed => Mode != TokenMode.None;

    public override string ToString() => Mode == TokenMode.At ? $"token@{Step}.{Rank}" : "token:" + Mode;
}

/// <summary>One event of a timeline, played in the order of (<see cref="Step"/>, <see cref="Rank"/>, kind, index).</summary>
public readonly record struct TimelineEvent(EventKind Kind, int Index, int Step, int Rank)
{
    /// <summary>Orders events as they are played.</summary>
    public static readonly IComparer<TimelineEvent> PlayOrder = Comparer<TimelineEvent>.Create((a, b) => a.CompareTo(b));

    private int CompareTo(TimelineEvent other)
    {
        int c = Step.CompareTo(other.Step);
        if (c == 0)
        {
            c = Rank.CompareTo(other.Rank);
        }

        if (c == 0)
        {
            c = Kind.CompareTo(other.Kind);
        }

        return c == 0 ? Index.CompareTo(other.Index) : c;
    }

    public override string ToString() => Kind switch
    {
        EventKind.Tick => $"tick{Index}",
        EventKind.Cancel => "cancel",
        EventKind.Action => $"action{Index}",
        _ => $"end{Index}",
    };
}

/// <summary>What an event does: end an input, advance the clock by one second, or cancel the caller's token.</summary>
public enum EventKind
{
    Complete,
    Tick,
    Cancel,

    /// <summary>A step of the caller's own code (a TaskGroup body ending, Cancel), identified by its index.</summary>
    Action,
}

/// <summary>A distinct hot input: how it ends and when (step 0: before the call).</summary>
public readonly record struct HotSource(InputKind Kind, int Step, int Rank)
{
    public override string ToString() => Kind == InputKind.Never ? "never" : $"{Kind}@{Step}.{Rank}";
}

/// <summary>
/// A generated scenario over hot tasks: distinct sources, the input list (with duplicates) built from them, the
/// clock ticks, an optional timeout in whole seconds, the caller's token, and whether the sources resume their
/// continuations asynchronously. <see cref="Form"/> picks one overload of the combinator under test.
/// </summary>
public sealed record HotScenario(
    HotSource[] Sources,
    int[] Inputs,
    int[] TickRanks,
    int? TimeoutSeconds,
    TokenPlan Token,
    bool AsyncContinuations,
    int Form)
{
    public int Steps => TickRanks.Length;

    /// <summary>Gets the events after the call, in the order they are played.</summary>
    public List<TimelineEvent> Events()
    {
        var events = new List<TimelineEvent>();
        for (int i = 0; i < Sources.Length; i++)
        {
            if (Sources[i].Kind != InputKind.Never && Sources[i].Step > 0)
            {
                events.Add(new TimelineEvent(EventKind.Complete, i, Sources[i].Step, Sources[i].Rank));
            }
        }

        for (int k = 1; k <= Steps; k++)
        {
            events.Add(new TimelineEvent(EventKind.Tick, k, k, TickRanks[k - 1]));
        }

        if (Token.Mode == TokenMode.At)
        {
            events.Add(new TimelineEvent(EventKind.Cancel, 0, Token.Step, Token.Rank));
        }

        events.Sort(TimelineEvent.PlayOrder);
        return events;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("form=").Append(Form)
            .Append(AsyncContinuations ? " async" : " sync")
            .Append(" timeout=").Append(TimeoutSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none")
            .Append(' ').Append(Token)
            .Append(" ticks=[").Append(string.Join(",", TickRanks)).Append(']')
            .Append(" sources=[").Append(string.Join(", ", Sources)).Append(']')
            .Append(" inputs=[").Append(string.Join(",", Inputs)).Append(']');
        return text.ToString();
    }
}

/// <summary>Generators of scenarios.</summary>
public static class Scenarios
{
    /// <summary>Whole-second steps of a timeline; enough for timeouts to land before, among and after the ends.</summary>
    public const int MaxSteps = 6;

    public static readonly Gen<int> Rank = Gen.Int[0, 3];

    public static Gen<InputKind> HotKind { get; } = Gen.Frequency(
        (6, Gen.Const(InputKind.Value)),
        (2, Gen.Const(InputKind.Fault)),
        (1, Gen.Const(InputKind.Cancel)),
        (1, Gen.Const(InputKind.Never)));

    public static Gen<TokenPlan> Token(int steps, bool allowNone = true) => Gen.Frequency(
        (allowNone ? 3 : 0, Gen.Const(new TokenPlan(TokenMode.None, 0, 0))),
        (2, Gen.Const(new TokenPlan(TokenMode.Live, 0, 0))),
        (1, Gen.Const(new TokenPlan(TokenMode.PreCanceled, 0, 0))),
        (3, Gen.Select(Gen.Int[1, Math.Max(1, steps)], Rank, (s, r) => new TokenPlan(TokenMode.At, s, r))));

    /// <summary>No timeout (null), TimeSpan.Zero (0), or a whole number of seconds up to one past the last step.</summary>
    public static Gen<int?> Timeout(int steps) => Gen.Frequency(
        (3, Gen.Const((int?)null)),
        (1, Gen.Const<int?>(0)),
        (4, Gen.Int[1, steps + 1].Select(s => (int?)s)));

    /// <summary>
    /// Hot scenarios with <paramref name="minInputs"/>..<paramref name="maxInputs"/> inputs, about one in eight a
    /// duplicate of an earlier input.
    /// </summary>
    public static Gen<HotScenario> Hot(int minInputs, int maxInputs, bool timeout, bool token, int forms, bool duplicates = true) =>
        from steps in Gen.Int[1, MaxSteps]
        from count in Gen.Frequency((1, Gen.Int[minInputs, Math.Min(maxInputs, minInputs + 4)]), (2, Gen.Int[minInputs, maxInputs]))
        from kinds in HotKind.Array[count]
        from when in Gen.Int[0, steps].Array[count]
        from ranks in Rank.Array[count]
        from duplicateDraws in Gen.Int[0, 7].Array[count]
        from tickRanks in Rank.Array[steps]
        from timeoutSeconds in timeout ? Timeout(steps) : Gen.Const((int?)null)
        from tokenPlan in token ? Token(steps) : Gen.Const(new TokenPlan(TokenMode.None, 0, 0))
        from asyncContinuations in Gen.Bool
        from form in Gen.Int[0, forms - 1]
        select Build(kinds, when, ranks, duplicates ? duplicateDraws : new int[count], tickRanks, timeoutSeconds, tokenPlan, asyncContinuations, form);

    private static HotScenario Build(
        InputKind[] kinds, int[] when, int[] ranks, int[] duplicateDraws, int[] tickRanks, int? timeoutSeconds, TokenPlan token, bool asyncContinuations, int form)
    {
        var sources = new List<HotSource>();
        var inputs = new int[kinds.Length];
        for (int i = 0; i < kinds.Length; i++)
        {
            if (sources.Count > 0 && duplicateDraws[i] == 0)
            {
                inputs[i] = (i * 7 + ranks[i]) % sources.Count;
                continue;
            }

            inputs[i] = sources.Count;
            sources.Add(new HotSource(kinds[i], kinds[i] == InputKind.Never ? 0 : when[i], ranks[i]));
        }

        return new HotScenario(sources.ToArray(), inputs, tickRanks, timeoutSeconds, token, asyncContinuations, form);
    }
}
