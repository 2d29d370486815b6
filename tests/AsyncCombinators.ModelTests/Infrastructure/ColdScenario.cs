using System.Text;
using CsCheck;

namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>
/// A generated cold operation: how it ends, how many steps after its start (0: before returning its task), its rank
/// within that step, and whether it ends canceled as soon as its token is cancelled.
/// </summary>
public readonly record struct OpSpec(InputKind Kind, int Duration, int Rank, bool Honors)
{
    public override string ToString() =>
        Kind is InputKind.Never or InputKind.Throw ? $"{Kind}{(Honors ? string.Empty : "!")}" : $"{Kind}+{Duration}.{Rank}{(Honors ? string.Empty : "!")}";
}

/// <summary>
/// A generated scenario over cold operations. <see cref="MaxConcurrency"/> 0 means omitted; <see cref="Stagger"/> null
/// means omitted and 0 means Timeout.InfiniteTimeSpan; <see cref="BreakAfter"/> is how many items a consumer takes
/// before leaving the loop (0: it never leaves early); <see cref="Form"/> picks an overload.
/// </summary>
public sealed record ColdScenario(
    OpSpec[] Ops,
    int[] TickRanks,
    int? TimeoutSeconds,
    TokenPlan Token,
    bool AsyncContinuations,
    int MaxConcurrency,
    int? Stagger,
    int BreakAfter,
    int Form)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("form=").Append(Form)
            .Append(AsyncContinuations ? " async" : " sync")
            .Append(" max=").Append(MaxConcurrency)
            .Append(" stagger=").Append(Stagger?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none")
            .Append(" break=").Append(BreakAfter)
            .Append(" timeout=").Append(TimeoutSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none")
            .Append(' ').Append(Token)
            .Append(" ticks=[").Append(string.Join(",", TickRanks)).Append(']')
            .Append(" ops=[").Append(string.Join(", ", Ops)).Append(']');
        return text.ToString();
    }
}

public static class ColdScenarios
{
    public static Gen<InputKind> Kind { get; } = Gen.Frequency(
        (6, Gen.Const(InputKind.Value)),
        (2, Gen.Const(InputKind.Fault)),
        (1, Gen.Const(InputKind.Cancel)),
        (1, Gen.Const(InputKind.Throw)),
        (1, Gen.Const(InputKind.Never)));

    public static Gen<OpSpec> Op { get; } =
        from kind in Kind
        from duration in Gen.Frequency((1, Gen.Const(0)), (4, Gen.Int[1, 4]))
        from rank in Scenarios.Rank
        from honors in Gen.Frequency((4, Gen.Const(true)), (1, Gen.Const(false)))
        select new OpSpec(kind, duration, rank, honors || kind == InputKind.Never);

    /// <summary>
    /// Cold scenarios. Their operations resume the library synchronously, so each reaction has happened before the next
    /// event is played and the model can predict the order in which the library observes ends exactly.
    /// </summary>
    public static Gen<ColdScenario> Cold(int minOps, int maxOps, bool timeout, bool token, bool bound, bool stagger, bool breakEarly, int forms) =>
        from count in Gen.Frequency((1, Gen.Int[minOps, Math.Min(maxOps, minOps + 4)]), (2, Gen.Int[minOps, maxOps]))
        from ops in Op.Array[count]
        from tickRanks in Scenarios.Rank.Array[4]
        from timeoutSeconds in timeout ? Scenarios.Timeout(5) : Gen.Const((int?)null)
        from tokenPlan in token ? Scenarios.Token(6) : Gen.Const(new TokenPlan(TokenMode.None, 0, 0))
        from max in bound ? Gen.Frequency((1, Gen.Const(0)), (3, Gen.Int[1, 5])) : Gen.Const(0)
        from staggerSeconds in stagger ? Gen.Frequency((1, Gen.Const((int?)null)), (1, Gen.Const((int?)0)), (3, Gen.Int[1, 3].Select(s => (int?)s))) : Gen.Const((int?)null)
        from breakAfter in breakEarly ? Gen.Frequency((3, Gen.Const(0)), (1, Gen.Int[1, 4])) : Gen.Const(0)
        from form in Gen.Int[0, forms - 1]
        select new ColdScenario(ops, tickRanks, timeoutSeconds, tokenPlan, false, max, staggerSeconds, breakAfter, form);
}
