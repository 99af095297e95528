// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {DatanetRegistry} from "./DatanetRegistry.sol";

/// @title Staking: challenge window, resolver ruling and slashing. Anyone may challenge an item (a duplicate,
/// flagged content) by bonding `challengeBond` within `challengeWindow` of its registration; a RESOLVER rules.
/// Upheld: the stake is slashed (slashBountyBps to the challenger with the bond back, the rest to the
/// treasury), the item is flagged (its later usage is skipped) and the owner's reputation is cut.
/// Rejected: the bond goes to the contributor. A ruling must come within resolveWindow; after that anyone
/// may lapse() the challenge, which ends it like a rejection (the bond compensates the contributor whose
/// stake it locked). So a stake is never locked past registeredAt + challengeWindow + resolveWindow, even
/// by a free (bond 0) challenge nobody rules on. All payouts are credits, pulled with withdraw().
abstract contract Staking is DatanetRegistry {
    error WrongBond(uint256 sent, uint256 required);
    error ChallengeWindowClosed(uint64 itemId, uint64 endedAt);
    error SelfChallenge(uint64 itemId);
    error UnknownChallenge(uint64 challengeId);
    error ChallengeNotOpen(uint64 challengeId);
    error ResolutionDeadlinePassed(uint64 challengeId, uint64 deadline);
    error ResolutionPending(uint64 challengeId, uint64 deadline);

    event Challenged(uint64 indexed challengeId, uint64 indexed itemId, address indexed challenger, uint128 bond, bytes32 reason, uint64 deadline);
    event ChallengeResolved(uint64 indexed challengeId, uint64 indexed itemId, bool upheld);
    event ChallengeLapsed(uint64 indexed challengeId, uint64 indexed itemId);
    event Slashed(uint64 indexed itemId, address indexed owner, uint128 amount, uint256 toChallenger, uint256 toTreasury);
    event ReputationChanged(address indexed identity, uint32 fromBps, uint32 toBps);

    bytes32 internal constant WHY_BOUNTY = "bounty";
    bytes32 internal constant WHY_BOND = "bond";
    bytes32 internal constant WHY_SLASH = "slash";

    function challenge(uint64 itemId, bytes32 reason) external payable returns (uint64 id) {
        Item storage it = _item(itemId);
        if (it.owner == msg.sender) revert SelfChallenge(itemId);
        if (it.flagged) revert ItemIsFlagged(itemId);
        if (it.challenged) revert ChallengeOpen(itemId);
        uint64 endsAt = it.registeredAt + _params.challengeWindow;
        if (block.timestamp >= endsAt) revert ChallengeWindowClosed(itemId, endsAt);
        if (msg.value != _params.challengeBond) revert WrongBond(msg.value, _params.challengeBond);
        it.challenged = true;
        id = ++challengeCount;
        uint64 deadline = uint64(block.timestamp) + _params.resolveWindow; // resolveWindow ≤ MAX_WINDOW
        _challenges[id] = Challenge({
            itemId: itemId, status: ChallengeStatus.Open, challenger: msg.sender, bond: uint128(msg.value), deadline: deadline,
            reason: reason
        });
        emit Challenged(id, itemId, msg.sender, uint128(msg.value), reason, deadline);
    }

    function resolve(uint64 challengeId, bool upheld) external onlyRole(RESOLVER) {
        Challenge storage c = _openChallenge(challengeId);
        if (block.timestamp >= c.deadline) revert ResolutionDeadlinePassed(challengeId, c.deadline);
        Item storage it = _items[c.itemId];
        it.challenged = false;
        if (upheld) {
            c.status = ChallengeStatus.Upheld;
            it.flagged = true;
            uint128 stake = it.stake;
            it.stake = 0;
            Identity storage idt = _identities[it.owner];
            _checkpoint(idt);
            idt.stake -= stake;
            uint256 bounty = (uint256(stake) * _params.slashBountyBps) / BPS;
            _credit(c.challenger, bounty, WHY_BOUNTY);
            _credit(c.challenger, c.bond, WHY_BOND);
            _credit(treasury, stake - bounty, WHY_SLASH);
            emit Slashed(c.itemId, it.owner, stake, bounty, stake - bounty);
            uint32 from = idt.repSet ? idt.repBps : REP_START;
            uint32 to = uint32((uint256(from) * (BPS - _params.slashRepBps)) / BPS);
            idt.repBps = to;
            idt.repSet = true;
            emit ReputationChanged(it.owner, from, to);
        } else {
            c.status = ChallengeStatus.Rejected;
            _credit(it.owner, c.bond, WHY_BOND);
        }
        emit ChallengeResolved(challengeId, c.itemId, upheld);
    }

    /// Ends a challenge nobody ruled on by its deadline: open to anyone (the contributor, typically), so a
    /// missing ruling cannot lock the stake. The bond goes to the contributor, as on a rejection.
    function lapse(uint64 challengeId) external {
        Challenge storage c = _openChallenge(challengeId);
        if (block.timestamp < c.deadline) revert ResolutionPending(challengeId, c.deadline);
        c.status = ChallengeStatus.Lapsed;
        Item storage it = _items[c.itemId];
        it.challenged = false;
        _credit(it.owner, c.bond, WHY_BOND);
        emit ChallengeLapsed(challengeId, c.itemId);
    }

    function _openChallenge(uint64 challengeId) private view returns (Challenge storage c) {
        c = _challenges[challengeId];
        if (c.status == ChallengeStatus.None) revert UnknownChallenge(challengeId);
        if (c.status != ChallengeStatus.Open) revert ChallengeNotOpen(challengeId);
    }

    function challengeOf(uint64 challengeId) external view returns (Challenge memory) {
        return _challenges[challengeId];
    }
}
