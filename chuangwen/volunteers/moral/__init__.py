"""Part B of the volunteers app: the moral bank (道德银行), moral models and good people
(道德模范, 身边好人) and civility selections (文明单位/校园/村镇/社区/家庭).

Models live in ``volunteers/models.py`` (their own block); everything else is here.
"""
