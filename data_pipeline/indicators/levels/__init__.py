"""Level adapters: what differs by geography, for every indicator family to use.

A family builder (:mod:`data_pipeline.indicators.families`) says what an indicator counts;
the adapter of each level says how counts become observations there: CCG periods put onto
one CCG set with successors (:mod:`.ccg`), sub-ICB counts added up to ICB, region and England
(:mod:`.sub_icb`), observed against expected standardised level by level with the gap in
people (:mod:`.standardised`), published local-authority values kept to the atlas's boundaries
(:mod:`.local_authority`), and GP practices and LSOAs with no England row of their own
(:mod:`.small_areas`).
"""
