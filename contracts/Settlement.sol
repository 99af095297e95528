// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AttributionLog} from "./AttributionLog.sol";

/// @title Settlement: per-epoch rewards with a pluggable rule (0 PRO_RATA, 1 STAKE, 2 VOLUME_CAP, 3 SQRT,
/// 4 REPUTATION; exact integer math of rules.md, mirrored by lib/ledger/rules.ts).
/// Paginated + pull-based, so no transaction grows with the number of payees:
///   closeEpoch()                      snapshot pool, rule, cap and (lazily) stakes; open the next epoch
///   computeScores(e, n)   pass 1      s_a per payee, Σ s_a, then reputation decay (after the score is fixed)
///   sumPayouts(e, n)      pass 2      Σ r_a; at the end the exact dust P − Σ r_a is credited to the treasury
///   claim(e), claimTo(e, to)          each payee pulls r_a (allowed from the end of pass 1)
/// Stake is read as it was at closeEpoch (the identity's checkpoint, see DatanetRegistry._checkpoint), so
/// stake moved between score pages counts once. The checkpoint holds one past value, so an epoch closes
/// only when the one before it is scored: the epoch being scored is always currentEpoch − 1.
/// A push loop paying each payee would hit the 16,777,216 per-transaction gas cap near 2,900 payees.
abstract contract Settlement is AttributionLog {
    error InvalidRule(uint8 rule);
    error WrongPhase(uint256 epoch, Phase expected, Phase actual);
    error UnknownEpoch(uint256 epoch);
    error ZeroCount();
    error NothingToClaim(uint256 epoch, address account);
    error AlreadyClaimed(uint256 epoch, address account);
    error ScoreOverflow(address account);

    event RuleSet(uint256 indexed epoch, uint8 rule);
    event EpochClosed(uint256 indexed epoch, uint256 pool, uint256 payees, uint8 rule, uint32 capMultipleBps);
    event ScoresComputed(uint256 indexed epoch, uint256 fromIndex, uint256 toIndex, uint256 totalScoreSoFar);
    event ReputationDecayed(uint256 indexed epoch, uint256 fromIndex, uint256 toIndex, uint32 decayBps);
    event EpochScored(uint256 indexed epoch, uint256 totalScore);
    event PayoutsSummed(uint256 indexed epoch, uint256 fromIndex, uint256 toIndex, uint256 paidSoFar);
    event EpochSettled(uint256 indexed epoch, uint256 pool, uint256 paidTotal, uint256 treasuryShare);
    event Claimed(uint256 indexed epoch, address indexed account, address indexed to, uint256 amount);

    bytes32 internal constant WHY_DUST = "dust";

    /// Sets the rule of the open epoch and of the epochs after it.
    function setRule(uint8 rule) external onlyOwner {
        if (rule > 4) revert InvalidRule(rule);
        _epochs[currentEpoch].rule = rule;
        nextRule = rule;
        emit RuleSet(currentEpoch, rule);
    }

    function closeEpoch() external onlyRole(SETTLER) returns (uint256 e) {
        e = currentEpoch;
        if (e != 0 && _epochs[e - 1].phase == Phase.Closed) revert WrongPhase(e - 1, Phase.Scored, Phase.Closed);
        Epoch storage ep = _epochs[e];
        ep.phase = Phase.Closed;
        ep.capMultipleBps = _params.capMultipleBps;
        currentEpoch = e + 1;
        _epochs[e + 1].rule = nextRule;
        emit EpochClosed(e, ep.pool, ep.payees.length, ep.rule, ep.capMultipleBps);
    }

    /// The next page [from, end) of an epoch's payees for a paginated pass that runs in phase `want`;
    /// `last` when the page reaches the final payee.
    function _page(uint256 e, Phase want, uint256 maxCount)
        private
        view
        returns (Epoch storage ep, uint256 from, uint256 end, bool last)
    {
        ep = _epochAt(e);
        if (ep.phase != want) revert WrongPhase(e, want, ep.phase);
        if (maxCount == 0) revert ZeroCount();
        from = ep.cursor;
        uint256 len = ep.payees.length; // from ≤ len; clamped so a huge maxCount cannot overflow
        end = maxCount >= len - from ? len : from + maxCount;
        last = end == len;
    }

    function computeScores(uint256 e, uint256 maxCount) external onlyRole(SETTLER) returns (bool done) {
        (Epoch storage ep, uint256 from, uint256 end, bool last) = _page(e, Phase.Closed, maxCount);
        uint8 rule = ep.rule;
        uint32 decay = _params.decayBps;
        uint256 total = ep.totalScore;
        mapping(address => Account) storage accts = _accounts[e];
        for (uint256 i = from; i < end; ++i) {
            total += _scoreOne(e, rule, decay, ep.payees[i], accts);
        }
        ep.totalScore = total;
        ep.cursor = uint32(end);
        emit ScoresComputed(e, from, end, total);
        if (end > from) emit ReputationDecayed(e, from, end, decay);
        if (last) {
            ep.cursor = 0;
            if (total == 0) {
                ep.phase = Phase.Settled;
                _credit(treasury, ep.pool, WHY_DUST);
                emit EpochSettled(e, ep.pool, 0, ep.pool);
            } else {
                ep.phase = Phase.Scored;
                emit EpochScored(e, total);
            }
            return true;
        }
    }

    /// s_a of one payee, stored; then its reputation decays (every payee had usage this epoch, that is how
    /// it became a payee) towards the floor. Decay never raises it: a slash may have put it below the floor.
    function _scoreOne(uint256 e, uint8 rule, uint32 decay, address a, mapping(address => Account) storage accts)
        private
        returns (uint256 s)
    {
        Account storage acc = accts[a];
        Identity storage idt = _identities[a];
        uint32 rep = idt.repSet ? idt.repBps : REP_START;
        s = _score(rule, acc.usage, rule == 1 ? _stakeAt(idt, e) : 0, rep);
        if (s > type(uint128).max) revert ScoreOverflow(a);
        acc.score = uint128(s);
        if (rep > REP_FLOOR) {
            idt.repBps = rep > uint256(REP_FLOOR) + decay ? rep - decay : REP_FLOOR;
            idt.repSet = true;
        }
    }

    function sumPayouts(uint256 e, uint256 maxCount) external onlyRole(SETTLER) returns (bool done) {
        (Epoch storage ep, uint256 from, uint256 end, bool last) = _page(e, Phase.Scored, maxCount);
        uint256 paid = ep.paidTotal;
        mapping(address => Account) storage accts = _accounts[e];
        for (uint256 i = from; i < end; ++i) {
            paid += _payout(ep, accts[ep.payees[i]]);
        }
        ep.paidTotal = paid;
        ep.cursor = uint32(end);
        emit PayoutsSummed(e, from, end, paid);
        if (last) {
            ep.phase = Phase.Settled;
            uint256 dust = ep.pool - paid;
            _credit(treasury, dust, WHY_DUST);
            emit EpochSettled(e, ep.pool, paid, dust);
            return true;
        }
    }

    function claim(uint256 e) external nonReentrant returns (uint256) {
        return _claim(e, msg.sender);
    }

    /// msg.sender's r_a paid to `to`: a payee that cannot receive ETH (a contract without a payable
    /// receive) is still paid.
    function claimTo(uint256 e, address to) external nonReentrant returns (uint256) {
        if (to == address(0)) revert ZeroAddress();
        return _claim(e, to);
    }

    function _claim(uint256 e, address to) private returns (uint256 amount) {
        Epoch storage ep = _epochAt(e);
        if (ep.phase != Phase.Scored && ep.phase != Phase.Settled) revert WrongPhase(e, Phase.Scored, ep.phase);
        Account storage acc = _accounts[e][msg.sender];
        if (acc.claimed) revert AlreadyClaimed(e, msg.sender);
        amount = ep.totalScore == 0 ? 0 : _payout(ep, acc);
        if (amount == 0) revert NothingToClaim(e, msg.sender);
        acc.claimed = true;
        emit Claimed(e, msg.sender, to, amount);
        _send(to, amount);
    }

    /// r_a of an identity in a scored epoch (0 before scoring).
    function payoutOf(uint256 e, address a) external view returns (uint256) {
        Epoch storage ep = _epochs[e];
        if (ep.phase != Phase.Scored && ep.phase != Phase.Settled) return 0;
        if (ep.totalScore == 0) return 0;
        return _payout(ep, _accounts[e][a]);
    }

    struct EpochView {
        uint256 pool;
        uint8 rule;
        Phase phase;
        uint32 capMultipleBps;
        uint32 cursor;
        uint256 totalScore;
        uint256 paidTotal;
        uint256 payeeCount;
    }

    function epochOf(uint256 e) external view returns (EpochView memory) {
        Epoch storage ep = _epochs[e];
        return EpochView(ep.pool, ep.rule, ep.phase, ep.capMultipleBps, ep.cursor, ep.totalScore, ep.paidTotal, ep.payees.length);
    }

    function accountOf(uint256 e, address a) external view returns (Account memory) {
        return _accounts[e][a];
    }

    /// A window of an epoch's payees, clamped to the list (any offset and count, no overflow).
    function payees(uint256 e, uint256 offset, uint256 count) external view returns (address[] memory out) {
        address[] storage p = _epochs[e].payees;
        uint256 len = p.length;
        if (offset >= len || count == 0) return new address[](0);
        uint256 end = count >= len - offset ? len : offset + count;
        out = new address[](end - offset);
        for (uint256 i = offset; i < end; ++i) out[i - offset] = p[i];
    }

    function isqrt(uint256 x) public pure returns (uint256 y) {
        if (x == 0) return 0;
        y = x;
        uint256 z = x / 2 + 1; // (x + 1) / 2 without overflow at x = 2^256 - 1; equal for x ≥ 1
        if (x % 2 == 0) z = x / 2; // keep z == (x + 1) / 2 exactly, as in rules.ts
        while (z < y) {
            y = z;
            z = (x / z + z) / 2;
        }
    }

    function _epochAt(uint256 e) internal view returns (Epoch storage ep) {
        if (e >= currentEpoch) revert UnknownEpoch(e);
        ep = _epochs[e];
    }

    function _score(uint8 rule, uint256 usage, uint256 stake, uint256 rep) internal pure returns (uint256) {
        if (rule == 1) return (usage * stake) / 1e18;
        if (rule == 3) return isqrt(usage * 1e6);
        if (rule == 4) return (usage * rep) / BPS;
        return usage; // 0 PRO_RATA, 2 VOLUME_CAP
    }

    function _payout(Epoch storage ep, Account storage acc) internal view returns (uint256 r) {
        r = (uint256(ep.pool) * acc.score) / ep.totalScore;
        if (ep.rule == 2) {
            uint256 cap = (uint256(ep.capMultipleBps) * acc.volume) / BPS;
            if (r > cap) r = cap;
        }
    }
}
